using System.Collections.Frozen;
using System.Security.Cryptography;
using static OrleansKms.Crypto.Keys.KmsNames;

namespace OrleansKms.Crypto.Keys;

/// <summary>What a key's material is: one AES-256 key per version, an HMAC secret, or an asymmetric private key.</summary>
public enum KeyMaterialKind
{
    Symmetric,
    Hmac,
    Asymmetric,
}

/// <summary>
/// Everything the service knows about one key spec, in one place: its kind of material (and how to make, load and
/// check it), the key usages it allows with, per usage, the algorithms (wire names, in the model's order), the grant
/// operations that fit it, whether it is a DataKeyPairSpec, and whether AWS offers it only in its China Regions.
/// Every other part of the service asks this table; adding a spec is a row here and its primitive's file.
/// </summary>
public sealed class KeySpecInfo
{
    private static readonly string[] AlwaysGrantable = ["CreateGrant", "RetireGrant", "DescribeKey"];

    private readonly FrozenDictionary<string, IReadOnlyList<string>> _algorithmsByUsage;

    internal KeySpecInfo(string keySpec, KeyMaterialKind kind, params (string Usage, string[] Algorithms)[] usages)
    {
        KeySpec = keySpec;
        Kind = kind;
        KeyUsages = Array.AsReadOnly(usages.Select(u => u.Usage).ToArray());
        _algorithmsByUsage = usages.ToFrozenDictionary(u => u.Usage, u => (IReadOnlyList<string>)Array.AsReadOnly(u.Algorithms));
    }

    public string KeySpec { get; }

    public KeyMaterialKind Kind { get; }

    /// <summary>The KeyUsage values CreateKey allows with this spec.</summary>
    public IReadOnlyList<string> KeyUsages { get; }

    /// <summary>A DataKeyPairSpec too: GenerateDataKeyPair makes pairs of this spec.</summary>
    public bool IsDataKeyPairSpec { get; private init; }

    /// <summary>AWS offers this spec only in its China Regions (cn-*).</summary>
    public bool ChinaRegionsOnly { get; private init; }

    /// <summary>Keys of this spec rotate (automatically and on demand): symmetric encryption keys only.</summary>
    public bool Rotates => Kind == KeyMaterialKind.Symmetric;

    /// <summary>Grants on keys of this spec may carry encryption-context constraints: symmetric encryption keys only.</summary>
    public bool AllowsEncryptionContextConstraints => Kind == KeyMaterialKind.Symmetric;

    internal AsymmetricKey.KeyFactory? Factory { get; private init; }

    internal HmacKeys.HmacSpec? Hmac { get; private init; }

    /// <summary>The encryption algorithms of the spec under <paramref name="keyUsage"/>; empty unless ENCRYPT_DECRYPT.</summary>
    public IReadOnlyList<string> EncryptionAlgorithms(string keyUsage) => For(EncryptDecrypt, keyUsage);

    /// <summary>The signing algorithms of the spec under <paramref name="keyUsage"/>; empty unless SIGN_VERIFY.</summary>
    public IReadOnlyList<string> SigningAlgorithms(string keyUsage) => For(SignVerify, keyUsage);

    /// <summary>The MAC algorithms of the spec under <paramref name="keyUsage"/>; empty unless GENERATE_VERIFY_MAC.</summary>
    public IReadOnlyList<string> MacAlgorithms(string keyUsage) => For(GenerateVerifyMac, keyUsage);

    /// <summary>The key agreement algorithms of the spec under <paramref name="keyUsage"/>; empty unless KEY_AGREEMENT.</summary>
    public IReadOnlyList<string> KeyAgreementAlgorithms(string keyUsage) => For(KeyAgreement, keyUsage);

    /// <summary>The operations a grant on a key of this spec and usage may allow, as CreateGrant checks them.</summary>
    public IReadOnlyList<string> GrantOperations(string keyUsage) => (Kind, keyUsage) switch
    {
        (KeyMaterialKind.Symmetric, _) =>
            ["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo",
             "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext", .. AlwaysGrantable],
        (_, SignVerify) => ["Sign", "Verify", "GetPublicKey", .. AlwaysGrantable],
        (_, GenerateVerifyMac) => ["GenerateMac", "VerifyMac", .. AlwaysGrantable],
        (_, KeyAgreement) => ["DeriveSharedSecret", "GetPublicKey", .. AlwaysGrantable],
        _ => ["Encrypt", "Decrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey", .. AlwaysGrantable],
    };

    /// <summary>New material: a 256-bit key, an HMAC key of AWS's size, or a PKCS#8 private key.</summary>
    public SecretBytes Generate() => Kind switch
    {
        KeyMaterialKind.Symmetric => SecretBytes.Random(SymmetricKeyVersion.MaterialSize),
        KeyMaterialKind.Hmac => SecretBytes.Random(Hmac!.KeySize),
        _ => Factory!.Generate(),
    };

    /// <summary>Loads a PKCS#8 private key of this (asymmetric) spec.</summary>
    /// <exception cref="ArgumentException">Not an asymmetric spec, or not a PKCS#8 private key of it.</exception>
    public AsymmetricKey LoadPrivateKey(ReadOnlySpan<byte> pkcs8) =>
        Factory is { } factory ? factory.Load(pkcs8) : throw new ArgumentException($"{KeySpec} is not an asymmetric key spec.", nameof(pkcs8));

    /// <summary>
    /// Null if <paramref name="material"/> fits this spec as AWS checks imported material, else what is wrong: 32
    /// bytes for SYMMETRIC_DEFAULT; for HMAC keys from the spec's key size to its hash's block size; a PKCS#8 private
    /// key of exactly this spec for asymmetric specs.
    /// </summary>
    public string? MaterialProblem(ReadOnlySpan<byte> material)
    {
        switch (Kind)
        {
            case KeyMaterialKind.Symmetric:
                return material.Length == SymmetricKeyVersion.MaterialSize
                    ? null
                    : $"key material of a {KeySpec} key is {SymmetricKeyVersion.MaterialSize} bytes, not {material.Length}.";
            case KeyMaterialKind.Hmac:
                return material.Length >= Hmac!.KeySize && material.Length <= Hmac.BlockSize
                    ? null
                    : $"key material of an {KeySpec} key is {Hmac.KeySize} to {Hmac.BlockSize} bytes, not {material.Length}.";
            default:
                try
                {
                    using var _ = LoadPrivateKey(material);
                    return null;
                }
                catch (ArgumentException e)
                {
                    return $"key material of an {KeySpec} key is a PKCS#8 private key of that spec: {e.Message}";
                }
        }
    }

    private IReadOnlyList<string> For(string kind, string keyUsage) =>
        keyUsage == kind && _algorithmsByUsage.TryGetValue(keyUsage, out var algorithms) ? algorithms : [];

    internal static KeySpecInfo Asymmetric(string keySpec, AsymmetricKey.KeyFactory factory, bool dataKeyPair, params (string Usage, string[] Algorithms)[] usages) =>
        new(keySpec, KeyMaterialKind.Asymmetric, usages) { Factory = factory, IsDataKeyPairSpec = dataKeyPair };

    internal static KeySpecInfo HmacSpec(string keySpec, HmacKeys.HmacSpec hmac) =>
        new(keySpec, KeyMaterialKind.Hmac, (GenerateVerifyMac, [hmac.Algorithm])) { Hmac = hmac };

    internal KeySpecInfo InChinaRegionsOnly() =>
        new(KeySpec, Kind, [.. KeyUsages.Select(u => (u, _algorithmsByUsage[u].ToArray()))])
        {
            Factory = Factory, Hmac = Hmac, IsDataKeyPairSpec = IsDataKeyPairSpec, ChinaRegionsOnly = true,
        };
}

/// <summary>
/// Every KeySpec of the AWS model, as CreateKey's documentation lists them: RSA encrypts or signs; the NIST curves
/// sign or agree keys; ECC_SECG_P256K1, Ed25519 and ML-DSA only sign; SM2 encrypts, signs or agrees keys (China
/// Regions only); HMAC keys only MAC.
/// </summary>
public static class KeySpecCatalog
{
    private static readonly string[] RsaEncryption = [OaepSha1, OaepSha256];
    private static readonly string[] RsaSigning = [PssSha256, PssSha384, PssSha512, Pkcs1Sha256, Pkcs1Sha384, Pkcs1Sha512];

    private static readonly KeySpecInfo[] Ordered =
    [
        new KeySpecInfo(SymmetricDefault, KeyMaterialKind.Symmetric, (EncryptDecrypt, [SymmetricDefault])),
        KeySpecInfo.Asymmetric("RSA_2048", RsaKey.Factory("RSA_2048", 2048), true, (EncryptDecrypt, RsaEncryption), (SignVerify, RsaSigning)),
        KeySpecInfo.Asymmetric("RSA_3072", RsaKey.Factory("RSA_3072", 3072), true, (EncryptDecrypt, RsaEncryption), (SignVerify, RsaSigning)),
        KeySpecInfo.Asymmetric("RSA_4096", RsaKey.Factory("RSA_4096", 4096), true, (EncryptDecrypt, RsaEncryption), (SignVerify, RsaSigning)),
        KeySpecInfo.Asymmetric("ECC_NIST_P256", EcKey.Factory(EcCurveSpec.P256), true, (SignVerify, [EcdsaSha256]), (KeyAgreement, [Ecdh])),
        KeySpecInfo.Asymmetric("ECC_NIST_P384", EcKey.Factory(EcCurveSpec.P384), true, (SignVerify, [EcdsaSha384]), (KeyAgreement, [Ecdh])),
        KeySpecInfo.Asymmetric("ECC_NIST_P521", EcKey.Factory(EcCurveSpec.P521), true, (SignVerify, [EcdsaSha512]), (KeyAgreement, [Ecdh])),
        KeySpecInfo.Asymmetric("ECC_SECG_P256K1", EcKey.Factory(EcCurveSpec.Secp256k1), true, (SignVerify, [EcdsaSha256])),
        KeySpecInfo.Asymmetric("ECC_NIST_EDWARDS25519", Ed25519Key.Factory(), true, (SignVerify, [Ed25519Sha512, Ed25519PhSha512])),
        KeySpecInfo.Asymmetric("ML_DSA_44", MlDsaKey.Factory("ML_DSA_44", Org.BouncyCastle.Crypto.Parameters.MLDsaParameters.ml_dsa_44), false, (SignVerify, [MlDsaShake256])),
        KeySpecInfo.Asymmetric("ML_DSA_65", MlDsaKey.Factory("ML_DSA_65", Org.BouncyCastle.Crypto.Parameters.MLDsaParameters.ml_dsa_65), false, (SignVerify, [MlDsaShake256])),
        KeySpecInfo.Asymmetric("ML_DSA_87", MlDsaKey.Factory("ML_DSA_87", Org.BouncyCastle.Crypto.Parameters.MLDsaParameters.ml_dsa_87), false, (SignVerify, [MlDsaShake256])),
        KeySpecInfo.Asymmetric("SM2", Sm2Key.Factory(), true, (EncryptDecrypt, [Sm2Pke]), (SignVerify, [Sm2Dsa]), (KeyAgreement, [Ecdh])).InChinaRegionsOnly(),
        KeySpecInfo.HmacSpec("HMAC_224", new(28, 64, HmacSha224, HmacKeys.HmacSha224Bc)),
        KeySpecInfo.HmacSpec("HMAC_256", new(32, 64, HmacSha256, HMACSHA256.HashData)),
        KeySpecInfo.HmacSpec("HMAC_384", new(48, 128, HmacSha384, HMACSHA384.HashData)),
        KeySpecInfo.HmacSpec("HMAC_512", new(64, 128, HmacSha512, HMACSHA512.HashData)),
    ];

    private static readonly FrozenDictionary<string, KeySpecInfo> Specs = Ordered.ToFrozenDictionary(s => s.KeySpec);

    public static bool TryGet(string keySpec, out KeySpecInfo info)
    {
        if (Specs.TryGetValue(keySpec, out var found))
        {
            info = found;
            return true;
        }

        info = null!;
        return false;
    }

    /// <summary>The spec's entry.</summary>
    /// <exception cref="ArgumentException">Not a key spec of the model.</exception>
    public static KeySpecInfo Get(string keySpec) =>
        Specs.TryGetValue(keySpec, out var info) ? info : throw new ArgumentException($"{keySpec} is not a key spec.", nameof(keySpec));

    /// <summary>
    /// Why AWS would refuse a key of <paramref name="keySpec"/> and <paramref name="keyUsage"/> in
    /// <paramref name="region"/> (its ValidationException message), or null. The one rule CreateKey, the development
    /// seed and the key grain apply.
    /// </summary>
    public static string? CreationProblem(string keySpec, string keyUsage, string region) =>
        !TryGet(keySpec, out var info) || !info.KeyUsages.Contains(keyUsage)
            ? $"KeyUsage {keyUsage} is not compatible with KeySpec {keySpec}"
            : RegionProblem(keySpec, region);

    /// <summary>Specs AWS offers only in its China Regions (cn-*, SM2) are refused elsewhere: the message, or null.</summary>
    public static string? RegionProblem(string keySpec, string region) =>
        TryGet(keySpec, out var info) && info.ChinaRegionsOnly && !region.StartsWith("cn-", StringComparison.Ordinal)
            ? $"KeySpec {keySpec} is not supported in region {region}. {keySpec} keys are available only in China Regions."
            : null;

    /// <summary>Every spec, in a fixed order (symmetric, RSA, ECC, Ed25519, ML-DSA, SM2, HMAC).</summary>
    public static IReadOnlyList<KeySpecInfo> All => Ordered;
}
