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
        var credential = authorization.AsSpan(auth.Credential);
        Span<Range> scope = stackalloc Range[6];
        var parts = credential.Split(scope, '/');
        if (parts != 5 || !credential[scope[4]].SequenceEqual("aws4_request"))
            throw Incomplete($"Credential should be scoped to a valid region, not '{(parts > 2 ? credential[scope[2]] : "")}'. ");
        var identity = Caller(credential[scope[0]], request.Headers["X-Amz-Security-Token"].ToString());
        region = RegionName(credential[scope[2]]);
        if (!regions.Serves(region))
            throw new KmsException(KmsErrorCode.InvalidSignatureException, $"Credential should be scoped to a valid region, not '{region}'. {ServedRegions()}");
        if (!credential[scope[3]].SequenceEqual(service))
            throw new KmsException(KmsErrorCode.InvalidSignatureException, $"Credential should be scoped to correct service: '{service}'. ");

        var amzDate = request.Headers["X-Amz-Date"].ToString();
        var signedAt = ParseAmzDate(amzDate);
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

        var date = credential[scope[1]];
        if (!date.SequenceEqual(amzDate.AsSpan(0, 8)))
            throw new KmsException(KmsErrorCode.InvalidSignatureException, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.");

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(body, hash);
        Span<char> bodyHash = stackalloc char[64];
        Convert.TryToHexStringLower(hash, bodyHash, out _);
        var declaredHash = request.Headers["X-Amz-Content-SHA256"].ToString();
        // The body is always signed: UNSIGNED-PAYLOAD (an S3 feature) would let a changed body pass.
        if (declaredHash.Length > 0 && !declaredHash.AsSpan().Equals(bodyHash, StringComparison.OrdinalIgnoreCase))
            throw new KmsException(KmsErrorCode.InvalidSignatureException, "The provided 'x-amz-content-sha256' header does not match what was computed.");

        // The string to sign: algorithm, date, scope (the credential after the access key) and the canonical request's hash.
        var canonical = new Utf8Buffer(stackalloc byte[1024]);
        try
        {
            CanonicalRequest(ref canonical, request, authorization.AsSpan(auth.SignedHeaders), SignedHeaderNames(authorization, auth.SignedHeaders), bodyHash);
            SHA256.HashData(canonical.Written, hash);
            canonical.Clear();
            canonical.Append(Algorithm);
            canonical.Append('\n');
            canonical.Append(amzDate);
            canonical.Append('\n');
            canonical.Append(credential[(credential.IndexOf('/') + 1)..]);
            canonical.Append('\n');
            Span<char> hex = stackalloc char[64];
            Convert.TryToHexStringLower(hash, hex, out _);
            canonical.Append(hex);
            // Session secrets are many and short-lived: caching their keys would grow the cache without bound.
            var signing = (identity.SecretAccessKey, date.ToString(), region, service);
            var key = identity.RoleArn is null ? KeptSigningKey(signing, now) : DeriveSigningKey(signing);
            Sign(key, canonical.Written, hash);
        }
        finally
        {
            canonical.Dispose();
        }

        var signature = authorization.AsSpan(auth.Signature);
        Span<byte> given = stackalloc byte[32];
        if (signature.Length != 64 || Convert.FromHexString(signature, given, out _, out _) != System.Buffers.OperationStatus.Done
            || !CryptographicOperations.FixedTimeEquals(hash, given))
        {
            throw new KmsException(KmsErrorCode.InvalidSignatureException,
                "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        }

        return identity;
    }

    /// <summary>
    /// HMAC-SHA256 with a context kept per thread for the last signing key it used: setting up an HMAC costs more than
    /// computing one over a string to sign.
    /// </summary>
    [ThreadStatic] private static (byte[] Key, IncrementalHash Hmac)? t_hmac;

    private static void Sign(byte[] key, ReadOnlySpan<byte> stringToSign, Span<byte> signature)
    {
        if (t_hmac is not { } cached || !ReferenceEquals(cached.Key, key))
        {
            t_hmac?.Hmac.Dispose();
            cached = (key, IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
            t_hmac = cached;
        }

        cached.Hmac.AppendData(stringToSign);
        cached.Hmac.GetHashAndReset(signature);
    }

    /// <summary>The last X-Amz-Date read: under load many requests carry the same second.</summary>
    private Tuple<string, DateTimeOffset>? _lastDate;

    private DateTimeOffset ParseAmzDate(string amzDate)
    {
        if (_lastDate is { } last && last.Item1 == amzDate) return last.Item2;
        if (!DateTimeOffset.TryParseExact(amzDate, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt))
            throw Incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
        _lastDate = Tuple.Create(amzDate, signedAt);
        return signedAt;
    }

    /// <summary>A served Region's name without a new string per request; any other scope as written.</summary>
    private string RegionName(ReadOnlySpan<char> scoped)
    {
        foreach (var served in regions.Served)
        {
            if (scoped.SequenceEqual(served)) return served;
        }

        return scoped.ToString();
    }

    /// <summary>The last SignedHeaders list split: a client signs the same headers request after request.</summary>
    private Tuple<string, string[]>? _lastSignedHeaders;

    private string[] SignedHeaderNames(string authorization, Range signedHeaders)
    {
        var raw = authorization.AsSpan(signedHeaders);
        if (_lastSignedHeaders is { } last && raw.SequenceEqual(last.Item1)) return last.Item2;
        var text = raw.ToString();
        var names = text.Split(';');
        _lastSignedHeaders = Tuple.Create(text, names);
        return names;
    }

    private string ServedRegions() => regions.Served.Count >= AwsRegions.All.Count
        ? ""
        : $"This endpoint serves {string.Join(", ", regions.Served)}.";

    /// <summary>The identity an access key (and session token) names; AWS's error for an unknown, forged or expired one.</summary>
    private KmsIdentity Caller(ReadOnlySpan<char> accessKeyId, string sessionToken)
    {
        if (sessionToken.Length == 0)
            return identities.TryGet(accessKeyId, out var identity) ? identity : throw InvalidToken();
        if (sessions?.Open(sessionToken) is not { } session || !accessKeyId.SequenceEqual(session.AccessKeyId) || !identities.TryGetRole(session.RoleArn, out var role))
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

    private static void CanonicalRequest(ref Utf8Buffer sb, HttpRequest request, ReadOnlySpan<char> signedHeaders, string[] names, ReadOnlySpan<char> payloadHash)
    {
        sb.Append(request.Method);
        sb.Append('\n');
        var path = request.Path.HasValue ? request.Path.Value! : "/";
        sb.Append(path is "" or "/" ? "/" : CanonicalPath(path));
        sb.Append('\n');
        if (request.Query.Count > 0) sb.Append(CanonicalQuery(request.Query));
        sb.Append('\n');
        foreach (var name in names)
        {
            sb.Append(name);
            sb.Append(':');
            if (name == "host")
            {
                sb.Append(request.Host.Value ?? "");
            }
            else
            {
                var values = request.Headers[name];
                for (var i = 0; i < values.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    var value = (values[i] ?? "").AsSpan().Trim();
                    sb.Append(value.Contains("  ", StringComparison.Ordinal) ? Trim(value.ToString()) : value);
                }
            }

            sb.Append('\n');
        }

        sb.Append('\n');
        sb.Append(signedHeaders);
        sb.Append('\n');
        sb.Append(payloadHash);
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

    /// <summary>Where in the header Credential, SignedHeaders and Signature are (the last of each, as given).</summary>
    private static (Range Credential, Range SignedHeaders, Range Signature) ParseAuthorization(string header)
    {
        if (!header.StartsWith(Algorithm + " ", StringComparison.Ordinal))
            throw Incomplete($"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization={header.Split(' ')[0]}");
        Range? credential = null, signedHeaders = null, signature = null;
        var at = Algorithm.Length + 1;
        while (at <= header.Length)
        {
            var comma = header.IndexOf(',', at);
            var end = comma < 0 ? header.Length : comma;
            var start = at;
            while (start < end && char.IsWhiteSpace(header[start])) start++;
            var stop = end;
            while (stop > start && char.IsWhiteSpace(header[stop - 1])) stop--;
            var part = header.AsSpan(start, stop - start);
            var eq = part.IndexOf('=');
            if (eq > 0)
            {
                var value = new Range(start + eq + 1, stop);
                var name = part[..eq];
                if (name.SequenceEqual("Credential")) credential = value;
                else if (name.SequenceEqual("SignedHeaders")) signedHeaders = value;
                else if (name.SequenceEqual("Signature")) signature = value;
            }

            if (comma < 0) break;
            at = comma + 1;
        }

        if (credential is null || signedHeaders is null || signature is null)
        {
            var missing = new StringBuilder();
            if (credential is null) missing.Append("Authorization header requires 'Credential' parameter. ");
            if (signature is null) missing.Append("Authorization header requires 'Signature' parameter. ");
            if (signedHeaders is null) missing.Append("Authorization header requires 'SignedHeaders' parameter. ");
            throw Incomplete(missing.ToString().TrimEnd());
        }

        var names = header.AsSpan(signedHeaders.Value);
        var hasHost = false;
        foreach (var range in names.Split(';')) hasHost |= names[range].SequenceEqual("host");
        if (!hasHost)
            throw Incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
        return (credential.Value, signedHeaders.Value, signature.Value);
    }

    private static KmsException Incomplete(string message) => new(KmsErrorCode.IncompleteSignatureException, message);
}

/// <summary>UTF-8 text built in a stack buffer, moving to pooled arrays if it outgrows it.</summary>
internal ref struct Utf8Buffer(Span<byte> initial)
{
    private Span<byte> _buffer = initial;
    private byte[]? _rented;
    private int _length;

    public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

    public void Clear() => _length = 0;

    public void Append(char c)
    {
        Ensure(4);
        if (c < 0x80) _buffer[_length++] = (byte)c;
        else _length += Encoding.UTF8.GetBytes([c], _buffer[_length..]);
    }

    public void Append(string? text) => Append(text.AsSpan());

    public void Append(ReadOnlySpan<char> text)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(text.Length));
        _length += Encoding.UTF8.GetBytes(text, _buffer[_length..]);
    }

    private void Ensure(int more)
    {
        if (_length + more <= _buffer.Length) return;
        var bigger = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + more));
        _buffer[.._length].CopyTo(bigger);
        if (_rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(_rented);
        _buffer = _rented = bigger;
    }

    public void Dispose()
    {
        if (_rented is not null) System.Buffers.ArrayPool<byte>.Shared.Return(_rented);
        _rented = null;
    }
}
