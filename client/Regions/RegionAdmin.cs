using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OrleansKms.Cli.Admin;

namespace OrleansKms.Cli.Regions;

/// <summary>One served Region and its state as the dev-admin surface reports it: running, stopped or idle.</summary>
internal sealed record RegionState(string Region, string State);

/// <summary>The answer of every Region operation of the dev-admin surface: each served Region's state.</summary>
internal sealed record RegionStates(IReadOnlyList<RegionState> Regions);

/// <summary>The service refused or could not be asked; the message says why, for a person.</summary>
internal sealed class RegionAdminException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Stops, starts and lists Regions through the development admin surface (<c>POST /_kms/region/stop</c>,
/// <c>/_kms/region/start</c>, <c>/_kms/regions</c> of a service started with <c>--dev-admin</c>), SigV4-signed as
/// an account root. While a Region is stopped the gateway closes the connection of every request signed for it, so
/// a request about Region X is signed for another Region: <paramref name="signingRegion"/> first, then the
/// fallbacks, skipping X and moving on when a Region's connection is closed or the endpoint does not serve it.
/// </summary>
internal sealed class RegionAdmin(HttpClient http, Uri endpoint, string signingRegion, string accessKey, string secretKey, TimeProvider time)
{
    private static readonly string[] FallbackSigningRegions = ["us-east-1", "us-west-2", "eu-west-1"];

    public RegionAdmin(HttpClient http, ServiceConnection connection, TimeProvider time)
        : this(http, connection.Endpoint, connection.Region, connection.AccessKey, connection.SecretKey, time)
    {
    }

    /// <summary>Every served Region's state.</summary>
    public Task<RegionStates> StatusAsync(CancellationToken cancel) => PostAsync("regions", "{}", about: null, cancel);

    /// <summary>Stops <paramref name="region"/>: from then on its requests get no answer. Returns every Region's state.</summary>
    public Task<RegionStates> StopAsync(string region, CancellationToken cancel) => PostAsync("region/stop", Body(region), region, cancel);

    /// <summary>Starts <paramref name="region"/> again (or for the first time). Returns every Region's state.</summary>
    public Task<RegionStates> StartAsync(string region, CancellationToken cancel) => PostAsync("region/start", Body(region), region, cancel);

    private static string Body(string region) => JsonSerializer.Serialize(new RegionBody(region), RegionJsonContext.Default.RegionBody);

    private async Task<RegionStates> PostAsync(string operation, string body, string? about, CancellationToken cancel)
    {
        RegionAdminException? first = null;
        foreach (var signer in new[] { signingRegion }.Concat(FallbackSigningRegions).Distinct().Where(r => r != about))
        {
            try
            {
                return await PostSignedAsync(operation, body, signer, cancel);
            }
            catch (SigningRegionUnusableException e)
            {
                first ??= new RegionAdminException(e.Message, e.InnerException);
            }
        }

        throw first!;
    }

    private async Task<RegionStates> PostSignedAsync(string operation, string body, string signer, CancellationToken cancel)
    {
        var uri = new Uri(endpoint, "/_kms/" + operation);
        using var request = SigV4Request.Post(uri, Encoding.UTF8.GetBytes(body), "application/json", signer, accessKey, secretKey, time.GetUtcNow());
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancel);
        }
        catch (TaskCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new RegionAdminException($"{endpoint} did not answer within {http.Timeout.TotalSeconds:0} s.", e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new RegionAdminException($"{endpoint} is not reachable: {e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new SigningRegionUnusableException($"{endpoint} closed the connection of a request signed for {signer}: {e.Message}", e);
        }

        using (response) return await ReadAsync(response, cancel);
    }

    private async Task<RegionStates> ReadAsync(HttpResponseMessage response, CancellationToken cancel)
    {
        var text = await response.Content.ReadAsStringAsync(cancel);
        if (response.IsSuccessStatusCode) return Parse(text);
        var error = ParseError(text);
        if (error?.Type == "InvalidSignatureException") throw new SigningRegionUnusableException($"{error.Type}: {error.Message}");
        throw new RegionAdminException(response.StatusCode == HttpStatusCode.NotFound
            ? $"{endpoint} has no development admin surface (start the service with --dev-admin)."
            : error is null ? $"HTTP {(int)response.StatusCode}: {text}" : $"{error.Type}: {error.Message}");
    }

    private RegionStates Parse(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, RegionJsonContext.Default.RegionStates) is { Regions: not null } states
                ? states
                : throw new JsonException("no \"regions\"");
        }
        catch (JsonException e)
        {
            throw new RegionAdminException($"{endpoint} answered with something other than Region states ({e.Message}): {text}");
        }
    }

    private static ErrorBody? ParseError(string text)
    {
        try
        {
            return JsonSerializer.Deserialize(text, RegionJsonContext.Default.ErrorBody) is { Type: not null } error ? error : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>This signing Region cannot carry the request (its connection was closed, or it is not served): try another.</summary>
    private sealed class SigningRegionUnusableException(string message, Exception? inner = null) : Exception(message, inner);
}

/// <summary>The body of <c>/_kms/region/stop</c> and <c>/_kms/region/start</c>.</summary>
internal sealed record RegionBody(string Region);

/// <summary>AWS's JSON error body: <c>{"__type": "...", "message": "..."}</c>.</summary>
internal sealed record ErrorBody([property: JsonPropertyName("__type")] string? Type, string? Message);

[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(RegionStates))]
[JsonSerializable(typeof(RegionBody))]
[JsonSerializable(typeof(ErrorBody))]
internal sealed partial class RegionJsonContext : JsonSerializerContext;
