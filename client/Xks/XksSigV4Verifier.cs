using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OrleansKms.Cli.Xks;

/// <summary>
/// Verifies the AWS Signature Version 4 KMS puts on every XKS proxy request (spec Appendix A): Authorization
/// <c>AWS4-HMAC-SHA256 Credential=ID/YYYYMMDD/REGION/kms-xks-proxy/aws4_request, SignedHeaders=..., Signature=...</c>
/// over exactly the headers SignedHeaders lists (at least host and x-amz-date), the path, the query and the SHA-256 of
/// the body; an access key id the proxy knows; an X-Amz-Date within the allowed skew of the clock, either way. Any
/// Region is accepted: it is the Region KMS calls from.
/// </summary>
internal sealed class XksSigV4Verifier(IReadOnlyList<XksCredential> credentials, TimeProvider time, TimeSpan allowedSkew)
{
    public const string Service = "kms-xks-proxy";
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>Null when the request is signed by a known credential; otherwise why it is not (safe to return: no secrets).</summary>
    public string? Verify(HttpRequest request, ReadOnlySpan<byte> body)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal)) return "The request is not signed with AWS4-HMAC-SHA256 (Authorization header).";
        var (credential, signedHeaders, signature) = Parse(authorization[(Algorithm.Length + 1)..]);
        if (credential is null || signedHeaders is null || signature is null) return "The Authorization header lacks Credential, SignedHeaders or Signature.";
        var scope = credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request") return "The credential scope is not ID/DATE/REGION/SERVICE/aws4_request.";
        if (scope[3] != Service) return $"The credential scope names service '{scope[3]}', not '{Service}'.";
        var secret = credentials.FirstOrDefault(c => c.AccessKeyId == scope[0])?.SecretAccessKey;
        if (secret is null) return $"Unknown access key id '{scope[0]}'.";
        if (!signedHeaders.Contains("host") || !signedHeaders.Contains("x-amz-date")) return "SignedHeaders must include host and x-amz-date.";
        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
            return "X-Amz-Date is missing or not YYYYMMDD'T'HHMMSS'Z'.";
        if ((time.GetUtcNow() - signedAt).Duration() > allowedSkew) return $"X-Amz-Date {amzDate} is more than {allowedSkew.TotalMinutes:0} minutes from the proxy's clock.";
        if (scope[1] != amzDate[..8]) return "The credential scope's date is not the date of X-Amz-Date.";

        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var declared = request.Headers["X-Amz-Content-SHA256"].ToString();
        if (declared.Length > 0 && !string.Equals(declared, bodyHash, StringComparison.OrdinalIgnoreCase)) return "X-Amz-Content-SHA256 is not the SHA-256 of the body.";
        var canonical = CanonicalRequest(request, signedHeaders, bodyHash);
        var stringToSign = $"{Algorithm}\n{amzDate}\n{string.Join('/', scope[1..])}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        var expected = HMACSHA256.HashData(SigningKey(secret, scope[1], scope[2]), Encoding.UTF8.GetBytes(stringToSign));
        var given = signature.Length == 64 && signature.All(char.IsAsciiHexDigit) ? Convert.FromHexString(signature) : [];
        return CryptographicOperations.FixedTimeEquals(expected, given) ? null : "The signature does not match (check the secret access key and the signing method).";
    }

    private static (string? Credential, string[]? SignedHeaders, string? Signature) Parse(string parameters)
    {
        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in parameters.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            if (eq <= 0) continue;
            var value = part[(eq + 1)..];
            switch (part[..eq])
            {
                case "Credential": credential = value; break;
                case "SignedHeaders": signedHeaders = value; break;
                case "Signature": signature = value; break;
            }
        }

        return (credential, signedHeaders?.Split(';'), signature);
    }

    private static string CanonicalRequest(HttpRequest request, string[] signedHeaders, string payloadHash)
    {
        var sb = new StringBuilder(256);
        sb.Append(request.Method).Append('\n');
        sb.Append(CanonicalPath(request.PathBase.Add(request.Path).Value ?? "/")).Append('\n');
        sb.Append(CanonicalQuery(request.Query)).Append('\n');
        foreach (var name in signedHeaders)
            sb.Append(name).Append(':').AppendJoin(',', request.Headers[name].Select(v => CollapseSpaces(v ?? ""))).Append('\n');
        return sb.Append('\n').AppendJoin(';', signedHeaders).Append('\n').Append(payloadHash).ToString();
    }

    private static string CanonicalPath(string path) =>
        path.Length == 0 ? "/" : string.Join('/', path.Split('/').Select(segment => Uri.EscapeDataString(segment)));

    private static string CanonicalQuery(IQueryCollection query) =>
        string.Join('&', query.SelectMany(p => p.Value.Select(v => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(v ?? "")}")).Order(StringComparer.Ordinal));

    private static string CollapseSpaces(string value) => string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    private static byte[] SigningKey(string secret, string date, string region)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Service));
        return HMACSHA256.HashData(key, "aws4_request"u8);
    }
}
