using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Auth;
using OrleansKms.Gateway.Protocol;
using OrleansKms.Gateway.Regions;

namespace OrleansKms.Gateway.Admin;

/// <summary>
/// The development admin surface, <c>/_kms/...</c> on the gateway, for test suites and drills, each in the Region of
/// the request's SigV4 scope: <c>POST /_kms/reset</c> empties every key, alias and grant of every account the gateway
/// knows; <c>POST /_kms/seed</c> applies a seed document (the request body, YAML or JSON);
/// <c>POST /_kms/region/stop</c>, <c>/_kms/region/start</c> stop and start the Region named in the body
/// (<c>{"region": "us-east-1"}</c>) and <c>POST /_kms/regions</c> lists every Region's state. Only with
/// <see cref="KmsGatewayOptions.DevAdmin"/> (the silo's <c>--dev-admin</c>); without it every <c>/_kms/</c> path is
/// 404. Requests are SigV4-signed like KMS calls, by an identity that is an account's root.
/// </summary>
public sealed class DevAdminEndpoint(SigV4Verifier verifier, IdentityStore identities, IKmsRegions regions, IOptions<KmsGatewayOptions> options)
{
    public const string PathPrefix = "/_kms/";
    private static readonly string[] Operations = ["reset", "seed", "region/stop", "region/start", "regions"];

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var operation = request.Path.Value![PathPrefix.Length..];
        if (!options.Value.DevAdmin || request.Method != HttpMethods.Post || !Operations.Contains(operation))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        try
        {
            var body = await ReadAsync(request, options.Value.MaxRequestBodyBytes, context.RequestAborted);
            var identity = verifier.Verify(request, body, out var regionName);
            if (!identity.PrincipalArn.EndsWith(":root", StringComparison.Ordinal))
                throw new KmsException(KmsErrorCode.AccessDeniedException, $"{identity.PrincipalArn} is not an account root; the development admin surface is for account roots.");
            var json = operation switch
            {
                "reset" or "seed" => await KeysAsync(operation, body, regionName, identity, context.RequestAborted),
                "regions" => KmsCall.Write(new RegionsResponse(Control(context).Status()), AdminJsonContext.Default.RegionsResponse),
                _ => await ChangeRegionAsync(Control(context), operation, body),
            };
            await WriteAsync(context.Response, StatusCodes.Status200OK, json);
        }
        catch (KmsException e)
        {
            var status = e.Code == KmsErrorCode.AccessDeniedException ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
            await WriteAsync(context.Response, status, KmsCall.Write(ErrorResponse.Of(e.Code.ToString(), e.Message), KmsJsonContext.Default.ErrorResponse));
        }
        catch (InvalidDataException e)
        {
            await WriteAsync(context.Response, StatusCodes.Status400BadRequest,
                KmsCall.Write(ErrorResponse.Of(nameof(KmsErrorCode.ValidationException), e.Message), KmsJsonContext.Default.ErrorResponse));
        }
        catch (RegionUnavailableException)
        {
            context.Abort();
        }
    }

    private async Task<byte[]> KeysAsync(string operation, byte[] body, string regionName, KmsIdentity identity, CancellationToken cancel)
    {
        var region = await regions.GetAsync(regionName, cancel);
        var admin = region.Admin ?? throw new KmsException(KmsErrorCode.UnsupportedOperationException, "This gateway is not hosted with a KMS silo.");
        if (operation == "reset")
        {
            var accounts = identities.All.Select(i => i.AccountId).Distinct().ToList();
            return KmsCall.Write(await admin.ResetAsync(accounts, regionName), AdminJsonContext.Default.ResetResult);
        }

        var seed = SeedDocument.Parse(Encoding.UTF8.GetString(body), "seed");
        var outcomes = await DevelopmentSeed.ApplyAsync(seed, admin, regionName, identity.AccountId, "seed");
        return KmsCall.Write(new SeedResponse(outcomes), AdminJsonContext.Default.SeedResponse);
    }

    private IKmsRegionControl Control(HttpContext context) =>
        context.RequestServices.GetService<IKmsRegionControl>()
        ?? throw new KmsException(KmsErrorCode.UnsupportedOperationException, "This gateway serves one embedded Region; it cannot stop or start Regions.");

    private async Task<byte[]> ChangeRegionAsync(IKmsRegionControl control, string operation, byte[] body)
    {
        RegionRequest? request;
        try
        {
            request = System.Text.Json.JsonSerializer.Deserialize(body, AdminJsonContext.Default.RegionRequest);
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        if (request?.Region is not { } region || !regions.Serves(region))
            throw new KmsException(KmsErrorCode.ValidationException, $"The body must name a Region this endpoint serves: {{\"region\": \"{regions.Served[0]}\"}}.");
        if (operation == "region/stop") await control.StopAsync(region);
        else await control.StartAsync(region);
        return KmsCall.Write(new RegionsResponse(control.Status()), AdminJsonContext.Default.RegionsResponse);
    }

    private static async Task<byte[]> ReadAsync(HttpRequest request, int max, CancellationToken cancel)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancel);
        if (buffer.Length > max) throw new KmsException(KmsErrorCode.ValidationException, $"Request body exceeds the maximum of {max} bytes.");
        return buffer.ToArray();
    }

    private static async Task WriteAsync(HttpResponse response, int status, byte[] json)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = json.Length;
        await response.Body.WriteAsync(json);
    }
}

/// <summary>The answer of <c>POST /_kms/seed</c>.</summary>
public sealed record SeedResponse(IReadOnlyList<DevelopmentSeed.Outcome> Keys);

/// <summary>The body of <c>POST /_kms/region/stop</c> and <c>/_kms/region/start</c>.</summary>
public sealed record RegionRequest(string? Region);

/// <summary>The answer of the Region operations: every served Region's state.</summary>
public sealed record RegionsResponse(IReadOnlyList<RegionStatus> Regions);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ResetResult))]
[JsonSerializable(typeof(SeedResponse))]
[JsonSerializable(typeof(RegionRequest))]
[JsonSerializable(typeof(RegionsResponse))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
