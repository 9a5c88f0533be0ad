using OrleansKms.Gateway.Auth;

namespace OrleansKms.Gateway;

/// <summary>
/// One KMS request as the gateway answered it, for what records requests (the audit trail, key last usage, metering).
/// Made once per request, after it ran and before its answer is written (so a caller holding its answer finds it recorded);
/// observers must not block (buffer and return).
/// </summary>
public sealed class KmsRequestRecord
{
    /// <summary>The x-amzn-RequestId the caller got.</summary>
    public required string RequestId { get; init; }

    /// <summary>The eventID of the request's audit record (CloudTrail's), given here so other observers can refer to it; null without an audit trail.</summary>
    public string? EventId { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>The API operation (a model operation name), or "unknown".</summary>
    public required string Operation { get; init; }

    /// <summary>For a request refused before its operation was read (<see cref="Operation"/> "unknown"): its X-Amz-Target as sent.</summary>
    public string? Target { get; init; }

    /// <summary>The Region of the request's SigV4 scope; null when the signature could not be read.</summary>
    public string? Region { get; init; }

    public string? SourceIp { get; init; }

    public string? UserAgent { get; init; }

    /// <summary>The authenticated caller; null when authentication failed (then <see cref="AccessKeyId"/> is what the request claimed).</summary>
    public KmsIdentity? Identity { get; init; }

    public string? AccessKeyId { get; init; }

    /// <summary>The request body as received (contains plaintext and keys: observers keep only what may be kept).</summary>
    public required ReadOnlyMemory<byte> RequestBody { get; init; }

    /// <summary>The JSON answer on success (contains plaintext and data keys: observers keep only what may be kept).</summary>
    public byte[]? ResponseBody { get; init; }

    /// <summary>The AWS error code of a failed request, and its message.</summary>
    public string? ErrorCode { get; init; }

    public string? ErrorMessage { get; init; }

    public double DurationMs { get; init; }

    public bool Succeeded => ErrorCode is null;

    private string? _answerKeyId;

    /// <summary>
    /// The answer's <c>"KeyId"</c> member (the first one: on a cryptographic operation the key's ARN; in a
    /// KeyMetadata the bare key id), found once for every observer and interned; "" when the answer has none.
    /// </summary>
    public string AnswerKeyId => _answerKeyId ??= ResponseBody is { } body ? AnswerMembers.Interned(AnswerMembers.Find(body, "\"KeyId\":\""u8)) : "";
}

/// <summary>
/// Members of the gateway's own answers, found without a JSON parse. The answers are compact JSON written by the
/// gateway, so a member is found by a vectorized search for <c>"Name":"</c>: inside a string value every quote is
/// escaped, so the pattern only matches a member. A value with an escape in it is left out (no key ARN, key id or
/// spec has one). Found strings are interned (keys and specs repeat): no allocation once seen.
/// </summary>
public static class AnswerMembers
{
    private const int MaxInterned = 100_000;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> Strings = new(StringComparer.Ordinal);

    /// <summary>The string value of the first member matching <paramref name="quotedName"/> (<c>"Name":"</c>, UTF-8), or empty.</summary>
    public static ReadOnlySpan<byte> Find(ReadOnlySpan<byte> body, ReadOnlySpan<byte> quotedName)
    {
        var at = body.IndexOf(quotedName);
        if (at < 0) return default;
        var value = body[(at + quotedName.Length)..];
        var end = value.IndexOfAny((byte)'"', (byte)'\\');
        return end > 0 && value[end] == (byte)'"' ? value[..end] : default;
    }

    /// <summary>The string of <paramref name="utf8"/>, from a table of those seen: no allocation once seen.</summary>
    public static string Interned(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty) return "";
        if (utf8.Length > 256) return System.Text.Encoding.UTF8.GetString(utf8);
        Span<char> chars = stackalloc char[256];
        var length = System.Text.Encoding.UTF8.GetChars(utf8, chars);
        var lookup = Strings.GetAlternateLookup<ReadOnlySpan<char>>();
        if (lookup.TryGetValue(chars[..length], out var known)) return known;
        var text = new string(chars[..length]);
        if (Strings.Count < MaxInterned) Strings.TryAdd(text, text);
        return text;
    }
}

/// <summary>Told of every KMS request the gateway answered (<see cref="KmsRequestRecord"/>). Must not block.</summary>
public interface IKmsRequestObserver
{
    void Observe(KmsRequestRecord record);
}

/// <summary>
/// Asked before each authenticated request is run: may refuse it (ThrottlingException, for request quotas). Must be
/// cheap: it is on every request's path.
/// </summary>
public interface IKmsRequestGate
{
    /// <summary>Before the request is read: the operation alone.</summary>
    void Admit(string region, KmsIdentity identity, string operation);

    /// <summary>
    /// Once a cryptographic request is read, before it is run (Encrypt, Decrypt, ReEncrypt, Sign, Verify,
    /// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext): <paramref name="kind"/> is the type of key it uses
    /// (<see cref="Quotas.KeyTypes"/>), or for GenerateDataKeyPair the KeyPairSpec it asks for. A ReEncrypt whose two
    /// keys are of different types is asked once for each. The account is the caller's.
    /// </summary>
    void AdmitKeyUse(string region, string accountId, string operation, string kind)
    {
    }
}

/// <summary>
/// Callers' addresses as text (aws:SourceIp, the audit record's sourceIPAddress), each formatted once: a request asks
/// twice, and a client sends many. At most <see cref="MaxKept"/> addresses are kept; others are formatted each time.
/// </summary>
public static class ClientAddresses
{
    private const int MaxKept = 10_000;
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<System.Net.IPAddress, string> Texts = new();

    public static string? Text(System.Net.IPAddress? address)
    {
        if (address is null) return null;
        if (Texts.TryGetValue(address, out var text)) return text;
        text = address.ToString();
        if (Texts.Count < MaxKept) Texts.TryAdd(address, text);
        return text;
    }
}
