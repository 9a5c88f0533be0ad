using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrleansKms;

/// <summary>What a grant token says: its key and grant, and the grant's terms.</summary>
public sealed record GrantTokenClaims(
    string KeyArn,
    string GrantId,
    long Sequence,
    string? GranteePrincipal,
    string? GranteeServicePrincipal,
    IReadOnlyList<string> Operations,
    GrantConstraints? Constraints);

/// <summary>
/// Grant tokens, as CreateGrant answers them. A token names its key and grant (so RetireGrant can find them from
/// the token alone) and carries the grant's sequence number, grantee, operations and constraints, so that the grant
/// is usable by token before its key's snapshot has reached a silo. It ends with an HMAC-SHA256 tag (16 bytes) under
/// a key the service derives from its root key (<see cref="IServiceSecrets"/>, purpose <see cref="Purpose"/>): a
/// token cannot be forged or altered, and a token of another service (another root key) is refused.
/// <para>Layout: <c>okms2.</c> base64url(JSON claims) <c>.</c> base64url(tag over the text before it).</para>
/// </summary>
public static class GrantTokens
{
    public const string Purpose = "grant-tokens";
    private const string Prefix = "okms2.";
    private const int TagSize = 16;

    public static string Issue(byte[] key, string keyArn, KeyGrant grant)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("k", keyArn);
            w.WriteString("g", grant.GrantId);
            w.WriteNumber("s", grant.Sequence);
            if (grant.GranteePrincipal is { } grantee) w.WriteString("p", grantee);
            if (grant.GranteeServicePrincipal is { } service) w.WriteString("sp", service);
            w.WriteStartArray("o");
            foreach (var operation in grant.Operations) w.WriteStringValue(operation);
            w.WriteEndArray();
            WriteContext(w, "cs", grant.Constraints?.EncryptionContextSubset);
            WriteContext(w, "ce", grant.Constraints?.EncryptionContextEquals);
            w.WriteEndObject();
        }

        var body = Prefix + Base64Url.EncodeToString(buffer.ToArray());
        return body + "." + Base64Url.EncodeToString(Tag(key, body));
    }

    /// <summary>The claims of a token of this service's form, without checking its tag (to route RetireGrant; never to authorize).</summary>
    public static bool TryRead(string? token, out GrantTokenClaims claims)
    {
        claims = null!;
        if (token is null || !token.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        var dot = token.LastIndexOf('.');
        if (dot <= Prefix.Length) return false;
        try
        {
            using var json = JsonDocument.Parse(Base64Url.DecodeFromChars(token.AsSpan(Prefix.Length, dot - Prefix.Length)));
            var root = json.RootElement;
            var keyArn = root.GetProperty("k").GetString();
            var grantId = root.GetProperty("g").GetString();
            if (keyArn is null || !KeyArn.TryParse(keyArn, out _) || !GrantIds.IsValid(grantId)) return false;
            claims = new GrantTokenClaims(
                keyArn,
                grantId!,
                root.GetProperty("s").GetInt64(),
                root.TryGetProperty("p", out var p) ? p.GetString() : null,
                root.TryGetProperty("sp", out var sp) ? sp.GetString() : null,
                [.. root.GetProperty("o").EnumerateArray().Select(o => o.GetString()!)],
                Constraints(root));
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The claims of a token this service issued and nobody altered; false for anything else.</summary>
    public static bool TryVerify(byte[] key, string? token, out GrantTokenClaims claims)
    {
        if (!TryRead(token, out claims)) return false;
        var dot = token!.LastIndexOf('.');
        byte[] tag;
        try
        {
            tag = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(tag, Tag(key, token[..dot]));
    }

    private static byte[] Tag(byte[] key, string body) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(body))[..TagSize];

    private static void WriteContext(Utf8JsonWriter w, string name, Dictionary<string, string>? context)
    {
        if (context is null) return;
        w.WriteStartObject(name);
        foreach (var (k, v) in context) w.WriteString(k, v);
        w.WriteEndObject();
    }

    private static GrantConstraints? Constraints(JsonElement root)
    {
        static Dictionary<string, string>? Read(JsonElement root, string name) =>
            root.TryGetProperty(name, out var map) ? map.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal) : null;
        var subset = Read(root, "cs");
        var equals = Read(root, "ce");
        return subset is null && equals is null ? null : new GrantConstraints(subset, equals, null);
    }
}
