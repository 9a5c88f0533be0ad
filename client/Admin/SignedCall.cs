using System.Text.Json;
using System.Text.Json.Nodes;

namespace OrleansKms.Cli.Admin;

/// <summary>The service refused a signed call or could not be asked; the message says why, for a person.</summary>
internal sealed class SignedCallException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A call to one of the service's own signed JSON endpoints (<c>/_kms/audit/lookup</c>, <c>/_kms/cost</c>): SigV4 with
/// the connection's credentials (session token included), one-line errors for a person.
/// </summary>
internal static class SignedCall
{
    /// <summary>
    /// POSTs <paramref name="body"/> to <paramref name="path"/> and returns what <paramref name="accept"/> takes from a
    /// successful answer; otherwise throws <see cref="SignedCallException"/>: the AWS error the service gave, the HTTP
    /// status, or why the service could not be asked.
    /// </summary>
    public static async Task<T> PostAsync<T>(HttpClient http, ServiceConnection connection, string path, byte[] body, TimeProvider time,
        Func<JsonNode?, T?> accept, CancellationToken cancel) where T : class
    {
        using var request = SigV4Request.Post(new Uri(connection.Endpoint, path), body, "application/json", connection.Region,
            connection.AccessKey, connection.SecretKey, time.GetUtcNow(), connection.SessionToken);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancel);
        }
        catch (HttpRequestException e)
        {
            throw new SignedCallException($"{connection.Endpoint} is not reachable: {e.Message}", e);
        }
        catch (TaskCanceledException e) when (!cancel.IsCancellationRequested)
        {
            throw new SignedCallException($"{connection.Endpoint} did not answer within {http.Timeout.TotalSeconds:0} s.", e);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancel);
            JsonNode? json;
            try
            {
                json = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                json = null;
            }

            if (response.IsSuccessStatusCode && accept(json) is { } accepted) return accepted;
            if (json?["__type"] is { } type) throw new SignedCallException($"{type}: {json["message"]}", null);
            throw new SignedCallException($"HTTP {(int)response.StatusCode}: {(text.Length <= 200 ? text : text[..200] + "...")}", null);
        }
    }
}
