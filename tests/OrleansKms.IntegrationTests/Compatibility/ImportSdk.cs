using System.Buffers.Binary;
using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// What the import tests do on the client's side, as AWS's documentation tells a customer to: wrap key material with
/// the wrapping public key (RSA-OAEP, or RSA-OAEP of an AES-256 key followed by AES-KWP of the material, RFC 5649,
/// written here from AES-ECB so the service's unwrapping is checked against an independent implementation).
/// </summary>
internal static class ImportSdk
{
    public static async Task<GetParametersForImportResponse> ParametersAsync(this IAmazonKeyManagementService kms, string keyId,
        string algorithm = "RSAES_OAEP_SHA_256", string spec = "RSA_2048") =>
        await kms.GetParametersForImportAsync(new GetParametersForImportRequest { KeyId = keyId, WrappingAlgorithm = algorithm, WrappingKeySpec = spec });

    public static async Task<Amazon.KeyManagementService.Model.KeyMetadata> NewExternalKeyAsync(this IAmazonKeyManagementService kms,
        string keySpec = "SYMMETRIC_DEFAULT", string? keyUsage = null) =>
        (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL, KeySpec = keySpec, KeyUsage = keyUsage })).KeyMetadata;

    /// <summary>GetParametersForImport, the material wrapped as <paramref name="algorithm"/> says, ImportKeyMaterial (never expiring).</summary>
    public static async Task<ImportKeyMaterialResponse> ImportAsync(this IAmazonKeyManagementService kms, string keyId, byte[] material,
        string algorithm = "RSAES_OAEP_SHA_256", string spec = "RSA_2048", DateTime? validTo = null)
    {
        var p = await kms.ParametersAsync(keyId, algorithm, spec);
        return await kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = new MemoryStream(p.ImportToken.ToArray()),
            EncryptedKeyMaterial = new MemoryStream(Wrap(algorithm, p.PublicKey.ToArray(), material)),
            ExpirationModel = validTo is null ? ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE : ExpirationModelType.KEY_MATERIAL_EXPIRES,
            ValidTo = validTo,
        });
    }

    /// <summary>ImportKeyMaterial with ImportType, KeyMaterialId and KeyMaterialDescription as given (never expiring unless <paramref name="validTo"/>).</summary>
    public static async Task<ImportKeyMaterialResponse> ImportAsAsync(this IAmazonKeyManagementService kms, string keyId, byte[] material,
        string? importType, string? keyMaterialId = null, string? description = null, DateTime? validTo = null, string algorithm = "RSAES_OAEP_SHA_256")
    {
        var p = await kms.ParametersAsync(keyId, algorithm);
        return await kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = new MemoryStream(p.ImportToken.ToArray()),
            EncryptedKeyMaterial = new MemoryStream(Wrap(algorithm, p.PublicKey.ToArray(), material)),
            ExpirationModel = validTo is null ? ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE : ExpirationModelType.KEY_MATERIAL_EXPIRES,
            ValidTo = validTo,
            ImportType = importType,
            KeyMaterialId = keyMaterialId,
            KeyMaterialDescription = description,
        });
    }

    public static byte[] Wrap(string algorithm, byte[] publicKey, byte[] material)
    {
        if (algorithm == "SM2PKE") return Sm2Encrypt(publicKey, material);
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(publicKey, out _);
        var padding = algorithm.EndsWith("SHA_1", StringComparison.Ordinal) ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
        if (algorithm.StartsWith("RSAES_OAEP", StringComparison.Ordinal)) return rsa.Encrypt(material, padding);
        var aesKey = RandomNumberGenerator.GetBytes(32);
        return [.. rsa.Encrypt(aesKey, padding), .. KeyWrapPadded(aesKey, material)];
    }

    /// <summary>SM2PKE with BouncyCastle, in the DER form AWS uses (GM/T 0009: x, y of C1, C3, C2).</summary>
    public static byte[] Sm2Encrypt(byte[] publicKeyDer, byte[] material)
    {
        var publicKey = (Org.BouncyCastle.Crypto.Parameters.ECPublicKeyParameters)Org.BouncyCastle.Security.PublicKeyFactory.CreateKey(publicKeyDer);
        var engine = new Org.BouncyCastle.Crypto.Engines.SM2Engine(Org.BouncyCastle.Crypto.Engines.SM2Engine.Mode.C1C3C2);
        engine.Init(true, new Org.BouncyCastle.Crypto.Parameters.ParametersWithRandom(publicKey, new Org.BouncyCastle.Security.SecureRandom()));
        var raw = engine.ProcessBlock(material, 0, material.Length);
        return new Org.BouncyCastle.Asn1.DerSequence(
            new Org.BouncyCastle.Asn1.DerInteger(new Org.BouncyCastle.Math.BigInteger(1, raw, 1, 32)),
            new Org.BouncyCastle.Asn1.DerInteger(new Org.BouncyCastle.Math.BigInteger(1, raw, 33, 32)),
            new Org.BouncyCastle.Asn1.DerOctetString(raw.AsSpan(65, 32).ToArray()),
            new Org.BouncyCastle.Asn1.DerOctetString(raw.AsSpan(97).ToArray())).GetDerEncoded();
    }

    /// <summary>AES Key Wrap with Padding (RFC 5649, section 4.1), from AES-ECB.</summary>
    public static byte[] KeyWrapPadded(byte[] kek, byte[] plaintext)
    {
        using var aes = Aes.Create();
        aes.Key = kek;
        var padded = new byte[(plaintext.Length + 7) / 8 * 8];
        plaintext.CopyTo(padded, 0);
        var a = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(a, 0xA65959A6);
        BinaryPrimitives.WriteUInt32BigEndian(a.AsSpan(4), (uint)plaintext.Length);
        if (padded.Length == 8) return aes.EncryptEcb(a.Concat(padded).ToArray(), PaddingMode.None);
        var n = padded.Length / 8;
        var r = padded;
        for (var j = 0; j <= 5; j++)
        {
            for (var i = 1; i <= n; i++)
            {
                var b = aes.EncryptEcb(a.Concat(r.Skip((i - 1) * 8).Take(8)).ToArray(), PaddingMode.None);
                var t = (ulong)(n * j + i);
                BinaryPrimitives.WriteUInt64BigEndian(a, BinaryPrimitives.ReadUInt64BigEndian(b) ^ t);
                b.AsSpan(8, 8).CopyTo(r.AsSpan((i - 1) * 8, 8));
            }
        }

        return [.. a, .. r];
    }
}
