using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using OrleansKms.KeyStores;

namespace OrleansKms.Cli.Xks;

/// <summary>One XKS API call: the external key id from the path (null for health) and the parsed body.</summary>
internal readonly record struct XksCall(string? KeyId, JsonElement Body);

/// <summary>
/// The four XKS proxy API operations over a PKCS#11 token; external key ids are key labels in the token. A handler
/// validates, calls the token, and writes the 200 response; it throws <see cref="XksException"/> (or the token's
/// exceptions, which <see cref="XksRequestHandler"/> maps) before writing anything.
/// </summary>
/// <remarks>
/// AES-GCM additional data given to the token, as the spec recommends (Encrypt, ciphertextMetadata):
/// <c>uint16-be len(aad) || aad || uint8 len(ciphertextMetadata) || ciphertextMetadata</c>, lengths zero when absent.
/// This proxy returns no ciphertextMetadata, so the second part is one zero byte on everything it encrypts.
/// </remarks>
internal sealed class XksOperations(IHsmToken token, string modulePath)
{
    private const int IvLength = 12, TagLength = 16, MaxCiphertextMetadata = 20;
    private static readonly string Version = typeof(XksOperations).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";

    /// <summary>The operations by the last segment of their path: the dispatch table.</summary>
    public IReadOnlyDictionary<string, Action<XksCall, Utf8JsonWriter>> Table => field ??= new Dictionary<string, Action<XksCall, Utf8JsonWriter>>
    {
        ["health"] = GetHealthStatus,
        ["metadata"] = GetKeyMetadata,
        ["encrypt"] = Encrypt,
        ["decrypt"] = Decrypt,
    };

    /// <summary>GetHealthStatus: a deep check, a draw from the token's RNG (no key is used, so no key's log shows it).</summary>
    private void GetHealthStatus(XksCall call, Utf8JsonWriter writer)
    {
        string status;
        try
        {
            status = token.GenerateRandom(16).Length == 16 ? "ACTIVE" : "UNAVAILABLE";
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            status = "UNAVAILABLE";
        }

        writer.WriteStartObject();
        writer.WriteNumber("xksProxyFleetSize", 1);
        writer.WriteString("xksProxyVendor", "OrleansKms");
        writer.WriteString("xksProxyModel", $"OrleansKms reference XKS proxy {Version}");
        writer.WriteString("ekmVendor", $"PKCS#11 module {Path.GetFileName(modulePath)}");
        writer.WriteStartArray("ekmFleetDetails");
        writer.WriteStartObject();
        writer.WriteString("id", token.SerialNumber);
        writer.WriteString("model", $"PKCS#11 token {token.TokenLabel}");
        writer.WriteString("healthStatus", status);
        writer.WriteEndObject();
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>GetKeyMetadata: AES_256, ENCRYPT and DECRYPT, ENABLED for the token's AES-256 keys (tokens have no disabled state).</summary>
    private void GetKeyMetadata(XksCall call, Utf8JsonWriter writer)
    {
        XksJson.RequireMetadata(call.Body);
        var key = token.Keys().FirstOrDefault(k => k.Label == call.KeyId) ?? throw XksException.KeyNotFound(call.KeyId!);
        var aes256 = key is { KeyType: "AES", ValueLength: 32 };
        writer.WriteStartObject();
        writer.WriteString("keySpec", aes256 ? "AES_256" : $"{key.KeyType}_{key.ValueLength * 8}");
        writer.WriteStartArray("keyUsage");
        if (aes256)
        {
            writer.WriteStringValue("ENCRYPT");
            writer.WriteStringValue("DECRYPT");
        }

        writer.WriteEndArray();
        writer.WriteString("keyStatus", "ENABLED");
        writer.WriteEndObject();
    }

    /// <summary>Encrypt: AES-256-GCM in the token; with ciphertextDataIntegrityValueAlgorithm, the CDIV of Appendix C.</summary>
    private void Encrypt(XksCall call, Utf8JsonWriter writer)
    {
        XksJson.RequireMetadata(call.Body);
        RequireAesGcm(call.Body);
        var cdiv = XksJson.OptionalString(call.Body, "ciphertextDataIntegrityValueAlgorithm");
        if (cdiv is not (null or "SHA_256")) throw XksException.Validation($"ciphertextDataIntegrityValueAlgorithm must be SHA_256, not '{cdiv}'.");
        var aad = XksJson.OptionalBase64(call.Body, "additionalAuthenticatedData") ?? [];
        var plaintext = XksJson.RequireBase64(call.Body, "plaintext");
        try
        {
            var framed = FramedAad(aad, []);
            var blob = token.Encrypt(call.KeyId!, plaintext, framed);
            var iv = blob.AsSpan(0, IvLength);
            var ciphertext = blob.AsSpan(IvLength, blob.Length - IvLength - TagLength);
            var tag = blob.AsSpan(blob.Length - TagLength);
            // Appendix C: the CDIV is computed first, then the output is proven to decrypt to the input.
            var integrity = cdiv is null ? null : SHA256.HashData([.. aad, .. blob]);
            if (integrity is not null) CheckDecrypts(call.KeyId!, blob, framed, plaintext);
            writer.WriteStartObject();
            writer.WriteBase64String("ciphertext", ciphertext);
            writer.WriteBase64String("initializationVector", iv);
            writer.WriteBase64String("authenticationTag", tag);
            if (integrity is not null) writer.WriteBase64String("ciphertextDataIntegrityValue", integrity);
            writer.WriteEndObject();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Decrypt: AES-256-GCM in the token; any altered part or a wrong AAD is InvalidCiphertextException.</summary>
    private void Decrypt(XksCall call, Utf8JsonWriter writer)
    {
        XksJson.RequireMetadata(call.Body);
        RequireAesGcm(call.Body);
        var ciphertext = XksJson.RequireBase64(call.Body, "ciphertext");
        var iv = XksJson.RequireBase64(call.Body, "initializationVector");
        var tag = XksJson.RequireBase64(call.Body, "authenticationTag");
        var aad = XksJson.OptionalBase64(call.Body, "additionalAuthenticatedData") ?? [];
        var metadata = XksJson.OptionalBase64(call.Body, "ciphertextMetadata") ?? [];
        if (iv.Length is not (12 or 16)) throw XksException.Validation($"initializationVector must be 12 or 16 bytes, not {iv.Length}.");
        if (tag.Length != TagLength) throw XksException.Validation($"authenticationTag must be 16 bytes, not {tag.Length}.");
        if (metadata.Length > MaxCiphertextMetadata) throw XksException.Validation($"ciphertextMetadata must be at most 20 bytes, not {metadata.Length}.");
        if (iv.Length != IvLength) throw XksException.InvalidCiphertext("This proxy makes 12-byte IVs only: no ciphertext of its keys has a 16-byte IV.");
        var plaintext = token.Decrypt(call.KeyId!, [.. iv, .. ciphertext, .. tag], FramedAad(aad, metadata));
        try
        {
            writer.WriteStartObject();
            writer.WriteBase64String("plaintext", plaintext);
            writer.WriteEndObject();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private void CheckDecrypts(string keyId, byte[] blob, byte[] framedAad, byte[] plaintext)
    {
        var roundTrip = token.Decrypt(keyId, blob, framedAad);
        var same = CryptographicOperations.FixedTimeEquals(roundTrip, plaintext);
        CryptographicOperations.ZeroMemory(roundTrip);
        if (!same) throw XksException.Internal("The key manager's ciphertext did not decrypt to the plaintext; nothing was returned.");
    }

    private static void RequireAesGcm(JsonElement body)
    {
        var algorithm = XksJson.RequireString(body, "encryptionAlgorithm");
        if (algorithm != "AES_GCM") throw XksException.Validation($"encryptionAlgorithm must be AES_GCM, not '{algorithm}'.");
    }

    private static byte[] FramedAad(byte[] aad, byte[] ciphertextMetadata)
    {
        if (aad.Length > ushort.MaxValue)
            throw XksException.UnsupportedOperation($"additionalAuthenticatedData of {aad.Length} bytes is more than this proxy supports ({ushort.MaxValue}).");
        var framed = new byte[2 + aad.Length + 1 + ciphertextMetadata.Length];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)aad.Length);
        aad.CopyTo(framed, 2);
        framed[2 + aad.Length] = (byte)ciphertextMetadata.Length;
        ciphertextMetadata.CopyTo(framed, 3 + aad.Length);
        return framed;
    }
}
