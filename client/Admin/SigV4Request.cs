using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace OrleansKms.Cli.Admin;

/// <summary>A POST signed with AWS Signature Version 4 for service <c>kms</c> (headers content-type, host, x-amz-date).</summary>
internal static class SigV4Request
{
    public static HttpRequestMessage Post(Uri uri, byte[] body, string contentType, string region, string accessKey, string secretKey, DateTimeOffset now,
        string? sessionToken = null)
    {
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        // STS session credentials: the token travels in X-Amz-Security-Token, signed like the other headers.
        if (sessionToken is not null) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", sessionToken);
        var signedHeaders = sessionToken is null ? "content-type;host;x-amz-date" : "content-type;host;x-amz-date;x-amz-security-token";
        var tokenLine = sessionToken is null ? "" : $"x-amz-security-token:{sessionToken}\n";
        var canonical = $"POST\n{uri.AbsolutePath}\n\ncontent-type:{contentType}\nhost:{uri.Authority}\nx-amz-date:{amzDate}\n{tokenLine}\n{signedHeaders}\n{Hex(SHA256.HashData(body))}";
        var scope = $"{date}/{region}/kms/aws4_request";
        var toSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var key = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date), region), "kms"), "aws4_request");
        request.Headers.TryAddWithoutValidation("Authorization",
            $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signedHeaders}, Signature={Hex(Hmac(key, toSign))}");
        return request;
    }

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
