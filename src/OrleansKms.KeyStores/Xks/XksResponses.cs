using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;

namespace OrleansKms.KeyStores.Xks;

/// <summary>
/// Reads proxy answers and trusts none of them: every field the specification requires must be there with the type
/// and size it allows (a ciphertext as long as the plaintext, a 12- or 16-byte IV, a 16-byte tag, at most 20 bytes of
/// ciphertext metadata, a matching integrity value...). Anything else is a <see cref="XksFailure.MalformedResponse"/>.
/// </summary>
internal static class XksResponses
{
    private static readonly FrozenDictionary<string, XksFailure> ErrorNames = new Dictionary<string, XksFailure>
    {
        ["ValidationException"] = XksFailure.ProxyValidation,
        ["InvalidStateException"] = XksFailure.InvalidState,
        ["InvalidCiphertextException"] = XksFailure.InvalidCiphertext,
        ["InvalidKeyUsageException"] = XksFailure.InvalidKeyUsage,
        ["AuthenticationFailedException"] = XksFailure.AuthenticationFailed,
        ["AccessDeniedException"] = XksFailure.AccessDenied,
        ["KeyNotFoundException"] = XksFailure.KeyNotFound,
        ["InvalidUriPathException"] = XksFailure.InvalidUriPath,
        ["ThrottlingException"] = XksFailure.Throttling,
        ["UnsupportedOperationException"] = XksFailure.UnsupportedOperation,
        ["DependencyTimeoutException"] = XksFailure.DependencyTimeout,
        ["InternalException"] = XksFailure.Internal,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string> HealthStatuses = FrozenSet.ToFrozenSet(["ACTIVE", "DEGRADED", "UNAVAILABLE"], StringComparer.Ordinal);

    /// <summary>
    /// The failure an error answer reports: by its <c>errorName</c>; without a usable one, HTTP 401 and 403 still say
    /// the proxy refused the credential or the request, and anything else is malformed (the specification's generic case).
    /// </summary>
    public static XksFailure ErrorOf(int status, byte[] body)
    {
        if (TryErrorName(body) is { } name && ErrorNames.TryGetValue(name, out var failure)) return failure;
        return status switch
        {
            401 => XksFailure.AuthenticationFailed,
            403 => XksFailure.AccessDenied,
            _ => XksFailure.MalformedResponse,
        };
    }

    /// <summary>Parses a success answer, which must be one JSON object.</summary>
    public static JsonDocument Parse(byte[] body)
    {
        try
        {
            var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object) return document;
            document.Dispose();
        }
        catch (JsonException)
        {
        }

        throw Malformed();
    }

    public static XksHealth ReadHealth(JsonElement root)
    {
        if (!root.TryGetProperty("xksProxyFleetSize", out var size) || size.ValueKind != JsonValueKind.Number
            || !size.TryGetInt32(out var fleetSize) || fleetSize <= 0)
            throw Malformed();
        var fleet = Items(root, "ekmFleetDetails", 1, 10).Select(ReadEkmInstance).ToArray();
        if (fleet.All(e => e.HealthStatus == "UNAVAILABLE")) throw new XksCallFailed(XksFailure.AllKeyManagersUnavailable);
        return new XksHealth(fleetSize, Text(root, "xksProxyVendor"), Text(root, "xksProxyModel"), Text(root, "ekmVendor"), fleet);
    }

    public static XksKeyMetadata ReadKeyMetadata(JsonElement root)
    {
        var usage = Items(root, "keyUsage", 0, 10).Select(u => u.ValueKind == JsonValueKind.String ? u.GetString()! : throw Malformed()).ToArray();
        return new XksKeyMetadata(Text(root, "keySpec"), usage, Text(root, "keyStatus"));
    }

    /// <summary>An Encrypt answer for <paramref name="plaintextLength"/> bytes; checks the integrity value when one was asked for.</summary>
    public static XksCiphertext ReadEncrypt(JsonElement root, int plaintextLength, ReadOnlySpan<byte> aad, bool integrityValueRequested)
    {
        var ciphertext = Bytes(root, "ciphertext");
        var iv = Bytes(root, "initializationVector");
        var tag = Bytes(root, "authenticationTag");
        var metadata = OptionalBytes(root, "ciphertextMetadata");
        if (ciphertext.Length != plaintextLength || !XksCiphertext.IsValidIvLength(iv.Length) || tag.Length != XksCiphertext.TagSize
            || metadata is { Length: > XksCiphertext.MaxMetadataSize })
            throw Malformed();
        if (metadata is { Length: 0 }) metadata = null;
        var result = new XksCiphertext(ciphertext, iv, tag, metadata);
        if (integrityValueRequested && !CryptographicOperations.FixedTimeEquals(Bytes(root, "ciphertextDataIntegrityValue"), IntegrityValue(aad, result)))
            throw Malformed();
        return result;
    }

    /// <summary>A Decrypt answer for <paramref name="ciphertextLength"/> bytes of ciphertext.</summary>
    public static byte[] ReadDecrypt(JsonElement root, int ciphertextLength)
    {
        var plaintext = Bytes(root, "plaintext");
        return plaintext.Length == ciphertextLength ? plaintext : throw Malformed();
    }

    /// <summary>
    /// The ciphertext data integrity value (specification, Appendix C): SHA-256 over
    /// aad || ciphertextMetadata || initializationVector || ciphertext || authenticationTag.
    /// </summary>
    public static byte[] IntegrityValue(ReadOnlySpan<byte> aad, XksCiphertext c)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(aad);
        sha.AppendData(c.CiphertextMetadata ?? []);
        sha.AppendData(c.InitializationVector);
        sha.AppendData(c.Ciphertext);
        sha.AppendData(c.AuthenticationTag);
        return sha.GetHashAndReset();
    }

    public static XksCallFailed Malformed() => new(XksFailure.MalformedResponse);

    private static XksEkmInstance ReadEkmInstance(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object) throw Malformed();
        var status = Text(e, "healthStatus");
        if (!HealthStatuses.Contains(status)) throw Malformed();
        return new XksEkmInstance(Text(e, "id"), Text(e, "model"), status);
    }

    private static string? TryErrorName(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("errorName", out var name) && name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Text(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Malformed();

    private static JsonElement.ArrayEnumerator Items(JsonElement o, string name, int min, int max)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array) throw Malformed();
        var count = v.GetArrayLength();
        return count >= min && count <= max ? v.EnumerateArray() : throw Malformed();
    }

    private static byte[] Bytes(JsonElement o, string name) => OptionalBytes(o, name) ?? throw Malformed();

    private static byte[]? OptionalBytes(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String && v.TryGetBytesFromBase64(out var bytes) ? bytes : throw Malformed();
    }
}

/// <summary>A proxy call failed: raised inside the client, turned into the operation's KmsException at its edge.</summary>
internal sealed class XksCallFailed(XksFailure failure) : Exception(failure.ToString())
{
    public XksFailure Failure { get; } = failure;
}
