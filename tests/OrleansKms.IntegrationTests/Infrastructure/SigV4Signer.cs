using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace OrleansKms.IntegrationTests.Infrastructure;

/// <summary>
/// A plain SigV4 signer for raw HTTP tests (bad-input cases the SDK would never send). Signs content-type, host,
/// x-amz-date and x-amz-target, as the AWS CLI does.
/// </summary>
public static class RawKms
{
    public static HttpRequestMessage Request(Uri endpoint, string? target, string body, DateTimeOffset? at = null,
        string accessKey = "test", string secretKey = "test", string region = "us-east-1", bool sign = true)
        => Request(endpoint, target, Encoding.UTF8.GetBytes(body), at, accessKey, secretKey, region, sign);

    public static HttpRequestMessage Request(Uri endpoint, string? target, byte[] body, DateTimeOffset? at = null,
        string accessKey = "test", string secretKey = "test", string region = "us-east-1", bool sign = true)
    {
        var now = at ?? DateTimeOffset.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'");
        var date = amzDate[..8];
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (target is not null) request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        if (!sign) return request;

        var host = endpoint.Authority;
        var canonicalHeaders = $"content-type:application/x-amz-json-1.1\nhost:{host}\nx-amz-date:{amzDate}\n" +
            (target is null ? "" : $"x-amz-target:{target}\n");
        var signedHeaders = "content-type;host;x-amz-date" + (target is null ? "" : ";x-amz-target");
        var canonical = $"POST\n/\n\n{canonicalHeaders}\n{signedHeaders}\n{Hex(SHA256.HashData(body))}";
        var scope = $"{date}/{region}/kms/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date), region), "kms"), "aws4_request");
        var signature = Hex(Hmac(key, toSign));
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
        return request;
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
