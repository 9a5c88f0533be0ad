using System.Text;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Auth;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Admin;

/// <summary>
/// The development admin surface, <c>/_kms/...</c> on the gateway, for test suites: <c>POST /_kms/reset</c> empties
/// every key, alias and grant of every account the gateway knows, in its region; <c>POST /_kms/seed</c> applies a
/// seed document (the request body, YAML or JSON). Only with <see cref="KmsGatewayOptions.DevAdmin"/> (the silo's
/// <c>--dev-admin</c>); without it every <c>/_kms/</c> path is 404. Requests are SigV4-signed like KMS calls, by an
/// identity that is an account's root.
/// </summary>
public sealed class DevAdminEndpoint(SigV4Verifier verifier, IdentityStore identities, IOptions<KmsGatewayOptions> options)
{
    public const string PathPrefix = "/_kms/";

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var operation = request.Path.Value![PathPrefix.Length..];
        if (!options.Value.DevAdmin || request.Method != HttpMethods.Post || operation is not ("reset" or "seed"))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        try
        {
            var body = await ReadAsync(request, options.Value.MaxRequestBodyBytes, context.RequestAborted);
            var identity = verifier.Verify(request, body);
            if (!identity.PrincipalArn.EndsWith(":root", StringComparison.Ordinal))
                throw new KmsException(KmsErrorCode.AccessDeniedException, $"{identity.PrincipalArn} is not an account root; the development admin surface is for account roots.");
            var admin = context.RequestServices.GetService<IKmsDevelopmentAdmin>()
                ?? throw new KmsException(KmsErrorCode.UnsupportedOperationException, "This gateway is not hosted with a KMS silo.");
            var region = options.Value.Region;
            byte[] json;
            if (operation == "reset")
            {
                var accounts = identities.All.Select(i => i.AccountId).Distinct().ToList();
                var result = await admin.ResetAsync(accounts, region);
                json = KmsCall.Write(result, AdminJsonContext.Default.ResetResult);
            }
            else
            {
                var seed = SeedDocument.Parse(Encoding.UTF8.GetString(body), "seed");
                var outcomes = await DevelopmentSeed.ApplyAsync(seed, admin, region, identity.AccountId, "seed");
                json = KmsCall.Write(new SeedResponse(outcomes), AdminJsonContext.Default.SeedResponse);
            }

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

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ResetResult))]
[JsonSerializable(typeof(SeedResponse))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
