using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace OrleansKms.Gateway.Auth;

/// <summary>
/// Verifies AWS Signature Version 4 (AWS4-HMAC-SHA256, Authorization header form) on every request: exactly the
/// headers that SignedHeaders lists, the SHA-256 of the body, a credential scope of a Region the gateway serves and service
/// <c>kms</c> (or <c>sts</c> for the STS actions on the same endpoint), and an X-Amz-Date within the allowed skew of
/// the injected clock. Temporary credentials (an ASIA... key with <c>X-Amz-Security-Token</c>) are a session
/// <see cref="SessionTokens"/> issued, of a role the identity store still has, before its expiry (on the sessions'
/// clock). Signing keys of long-term credentials are kept (at most <paramref name="signingKeyCapacity"/>; each is good
/// for one day, and those of days no request within the skew can carry are dropped and zeroed).
/// </summary>
public sealed class SigV4Verifier(IdentityStore identities, TimeProvider time, Regions.IKmsRegions regions, TimeSpan allowedSkew, SessionTokens? sessions = null,
    int signingKeyCapacity = SigV4Verifier.DefaultSigningKeyCapacity)
{
    public const int DefaultSigningKeyCapacity = 1_000;
    private const string Algorithm = "AWS4-HMAC-SHA256";
    private const string Service = "kms";
    public const string StsService = "sts";
    private readonly ConcurrentDictionary<(string Secret, string Date, string Region, string Service), byte[]> _signingKeys = new();
    private string _keptSince = "";

    /// <summary>Signing keys kept (tests).</summary>
    public int SigningKeysKept => _signingKeys.Count;

    /// <summary>The caller a KMS request is signed by; throws the AWS authentication error otherwise.</summary>
    public KmsIdentity Verify(HttpRequest request, ReadOnlySpan<byte> body, out string region) => Verify(request, body, Service, out region);

    /// <summary>
    /// The caller a request for <paramref name="service"/> (kms or sts) is signed by, and the Region of its credential
    /// scope (the Region the request is for); throws the AWS authentication error otherwise.
    /// </summary>
    public KmsIdentity Verify(HttpRequest request, ReadOnlySpan<byte> body, string service, out string region)
    {
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.Length == 0)
            throw new KmsException(KmsErrorCode.MissingAuthenticationTokenException, "Missing Authentication Token");
        var auth = ParseAuthorization(authorization);
        var scope = auth.Credential.Split('/');
        if (scope.Length != 5 || scope[4] != "aws4_request")
            throw Incomplete($"Credential should be scoped to a valid region, not '{(scope.Length > 2 ? scope[2] : "")}'. ");
        var identity = Caller(scope[0], request.Headers["X-Amz-Security-Token"].ToString());
        region = scope[2];
        if (!regions.Serves(region))
            throw new KmsException(KmsErrorCode.InvalidSignatureException, $"Credential should be scoped to a valid region, not '{region}'. {ServedRegions()}");
        if (scope[3] != service)
            throw new KmsException(KmsErrorCode.InvalidSignatureException, $"Credential should be scoped to correct service: '{service}'. ");

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
            throw Incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        var now = time.GetUtcNow();
        if (now - signedAt > allowedSkew)
        {
            throw new KmsException(KmsErrorCode.InvalidSignatureException,
                $"Signature expired: {amzDate} is now earlier than {(now - allowedSkew):yyyyMMdd'T'HHmmss'Z'} ({now:yyyyMMdd'T'HHmmss'Z'} - {allowedSkew.TotalMinutes:0} min.)");
        }

        if (signedAt - now > allowedSkew)
        {
            throw new KmsException(KmsErrorCode.InvalidSignatureException,
                $"Signature not yet current: {amzDate} is still later than {(now + allowedSkew):yyyyMMdd'T'HHmmss'Z'} ({now:yyyyMMdd'T'HHmmss'Z'} + {allowedSkew.TotalMinutes:0} min.)");
        }

        if (scope[1] != amzDate[..8])
            throw new KmsException(KmsErrorCode.InvalidSignatureException, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.");

        var bodyHash = Convert.ToHexStringLower(SHA256.HashData(body));
        var declaredHash = request.Headers["X-Amz-Content-SHA256"].ToString();
        // The body is always signed: UNSIGNED-PAYLOAD (an S3 feature) would let a changed body pass.
        if (declaredHash.Length > 0 && !string.Equals(declaredHash, bodyHash, StringComparison.OrdinalIgnoreCase))
            throw new KmsException(KmsErrorCode.InvalidSignatureException, "The provided 'x-amz-content-sha256' header does not match what was computed.");

        var canonical = CanonicalRequest(request, auth.SignedHeaders, bodyHash);
        var stringToSign = $"{Algorithm}\n{amzDate}\n{scope[1]}/{scope[2]}/{scope[3]}/aws4_request\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))}";
        // Session secrets are many and short-lived: caching their keys would grow the cache without bound.
        var signing = (identity.SecretAccessKey, scope[1], scope[2], scope[3]);
        var key = identity.RoleArn is null ? KeptSigningKey(signing, now) : DeriveSigningKey(signing);
        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign), expected);
        Span<byte> given = stackalloc byte[32];
        if (auth.Signature.Length != 64 || Convert.FromHexString(auth.Signature, given, out _, out _) != System.Buffers.OperationStatus.Done
            || !CryptographicOperations.FixedTimeEquals(expected, given))
        {
            throw new KmsException(KmsErrorCode.InvalidSignatureException,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        }

        return identity;
    }

    private string ServedRegions() => regions.Served.Count >= AwsRegions.All.Count
        ? ""
        : $"This endpoint serves {string.Join(", ", regions.Served)}.";

    /// <summary>The identity an access key (and session token) names; AWS's error for an unknown, forged or expired one.</summary>
    private KmsIdentity Caller(string accessKeyId, string sessionToken)
    {
        if (sessionToken.Length == 0)
            return identities.TryGet(accessKeyId, out var identity) ? identity : throw InvalidToken();
        if (sessions?.Open(sessionToken) is not { } session || session.AccessKeyId != accessKeyId || !identities.TryGetRole(session.RoleArn, out var role))
            throw InvalidToken();
        if (sessions.HasExpired(session))
            throw new KmsException(KmsErrorCode.ExpiredTokenException, "The security token included in the request is expired");
        return new KmsIdentity(session.AccessKeyId, session.SecretAccessKey, role.AccountId, role.SessionArn(session.SessionName))
        {
            Policies = role.Policies,
            Tags = role.Tags,
            RoleArn = role.Arn,
            Expiration = session.Expiration,
        };
    }

    private static KmsException InvalidToken() =>
        new(KmsErrorCode.UnrecognizedClientException, "The security token included in the request is invalid.");

    private static string CanonicalRequest(HttpRequest request, string[] signedHeaders, string payloadHash)
    {
        var sb = new StringBuilder(512);
        sb.Append(request.Method).Append('\n');
        sb.Append(CanonicalPath(request.Path.HasValue ? request.Path.Value! : "/")).Append('\n');
        sb.Append(CanonicalQuery(request.Query)).Append('\n');
        foreach (var name in signedHeaders)
        {
            var values = name == "host" ? request.Host.Value ?? "" : string.Join(',', request.Headers[name].Select(v => Trim(v ?? "")));
            sb.Append(name).Append(':').Append(values).Append('\n');
        }

        sb.Append('\n').AppendJoin(';', signedHeaders).Append('\n').Append(payloadHash);
        return sb.ToString();
    }

    private static string Trim(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Contains("  ", StringComparison.Ordinal)) return trimmed;
        var sb = new StringBuilder(trimmed.Length);
        var space = false;
        foreach (var c in trimmed)
        {
            if (c == ' ') { if (!space) sb.Append(c); space = true; }
            else { sb.Append(c); space = false; }
        }

        return sb.ToString();
    }

    private static string CanonicalPath(string path)
    {
        if (path is "" or "/") return "/";
        return string.Join('/', path.Split('/').Select(s => Uri.EscapeDataString(Uri.UnescapeDataString(s))));
    }

    private static string CanonicalQuery(IQueryCollection query)
    {
        if (query.Count == 0) return "";
        var pairs = new List<string>();
        foreach (var (k, values) in query)
        {
            foreach (var v in values) pairs.Add($"{Uri.EscapeDataString(k)}={Uri.EscapeDataString(v ?? "")}");
        }

        pairs.Sort(StringComparer.Ordinal);
        return string.Join('&', pairs);
    }

    /// <summary>The signing key of a long-term credential, kept while there is room.</summary>
    private byte[] KeptSigningKey((string Secret, string Date, string Region, string Service) signing, DateTimeOffset now)
    {
        if (_signingKeys.TryGetValue(signing, out var kept)) return kept;
        var key = DeriveSigningKey(signing);
        ForgetPastDays(now);
        if (_signingKeys.Count < signingKeyCapacity) _signingKeys.TryAdd(signing, key);
        return key;
    }

    /// <summary>
    /// Drops (and zeroes) the keys of days before any a request within the allowed skew can be signed on, once per day:
    /// no request in flight can still be using them.
    /// </summary>
    private void ForgetPastDays(DateTimeOffset now)
    {
        var oldest = (now - allowedSkew).AddDays(-1).ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        if (string.CompareOrdinal(oldest, Volatile.Read(ref _keptSince)) <= 0) return;
        Volatile.Write(ref _keptSince, oldest);
        foreach (var entry in _signingKeys)
        {
            if (string.CompareOrdinal(entry.Key.Date, oldest) < 0 && _signingKeys.TryRemove(entry)) CryptographicOperations.ZeroMemory(entry.Value);
        }
    }

    private static byte[] DeriveSigningKey((string Secret, string Date, string Region, string Service) k)
    {
        var kDate = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + k.Secret), Encoding.UTF8.GetBytes(k.Date));
        var kRegion = HMACSHA256.HashData(kDate, Encoding.UTF8.GetBytes(k.Region));
        var kService = HMACSHA256.HashData(kRegion, Encoding.UTF8.GetBytes(k.Service));
        return HMACSHA256.HashData(kService, "aws4_request"u8);
    }

    private static (string Credential, string[] SignedHeaders, string Signature) ParseAuthorization(string header)
    {
        if (!header.StartsWith(Algorithm + " ", StringComparison.Ordinal))
            throw Incomplete($"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={header.Split(' ')[0]}");
        string? credential = null, signedHeaders = null, signature = null;
        foreach (var part in header[(Algorithm.Length + 1)..].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
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

        if (credential is null || signedHeaders is null || signature is null)
        {
            var missing = new StringBuilder();
            if (credential is null) missing.Append("Authorization header requires 'Credential' parameter. ");
            if (signature is null) missing.Append("Authorization header requires 'Signature' parameter. ");
            if (signedHeaders is null) missing.Append("Authorization header requires 'SignedHeaders' parameter. ");
            throw Incomplete(missing.ToString().TrimEnd());
        }

        var names = signedHeaders.Split(';');
        if (!names.Contains("host"))
            throw Incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        return (credential, names, signature);
    }

    private static KmsException Incomplete(string message) => new(KmsErrorCode.IncompleteSignatureException, message);
}
