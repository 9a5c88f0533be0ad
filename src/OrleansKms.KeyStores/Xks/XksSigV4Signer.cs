using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansKms.KeyStores.Xks;

/// <summary>
/// Signs an XKS proxy request with AWS Signature Version 4 as the XKS Proxy API specification (Appendix A) requires:
/// <c>AWS4-HMAC-SHA256</c>, service <c>kms-xks-proxy</c>, the connection's signing Region, the proxy credential, and
/// exactly the signed headers <c>host;x-amz-date</c> over a POST with no query string and the SHA-256 of the body.
/// </summary>
internal static class XksSigV4Signer
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string Service = "kms-xks-proxy";
    private const string SignedHeaders = "host;x-amz-date";

    /// <summary>Sets the Host, X-Amz-Date and Authorization headers of <paramref name="request"/> (a POST of <paramref name="body"/>).</summary>
    public static void Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, XksProxyConnection proxy, DateTimeOffset now)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        var host = uri.Authority;
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var canonical = new StringBuilder(256)
            .Append("POST\n")
            .Append(uri.AbsolutePath).Append('\n')
            .Append('\n')
            .Append("host:").Append(host).Append('\n')
            .Append("x-amz-date:").Append(amzDate).Append('\n')
            .Append('\n')
            .Append(SignedHeaders).Append('\n')
            .Append(Hex(SHA256.HashData(body)))
            .ToString();
        var scope = $"{date}/{proxy.SigningRegion}/{Service}/aws4_request";
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var signature = Hex(HMACSHA256.HashData(SigningKey(proxy.SecretAccessKey, date, proxy.SigningRegion), Encoding.UTF8.GetBytes(stringToSign)));

        request.Headers.Host = host;
        request.Headers.Add("X-Amz-Date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization",
            $"{Algorithm} Credential={proxy.AccessKeyId}/{scope}, SignedHeaders={SignedHeaders}, Signature={signature}");
    }

    private static byte[] SigningKey(string secret, string date, string region)
    {
        var kDate = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        var kRegion = HMACSHA256.HashData(kDate, Encoding.UTF8.GetBytes(region));
        var kService = HMACSHA256.HashData(kRegion, Encoding.UTF8.GetBytes(Service));
        return HMACSHA256.HashData(kService, "aws4_request"u8);
    }

    private static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);
}
