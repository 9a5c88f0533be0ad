using System.Collections.Frozen;
using static OrleansKms.Crypto.Keys.KmsNames;

namespace OrleansKms.Crypto.Keys;

/// <summary>
/// One key spec as AWS defines it: which KeyUsage values it allows and, per usage, the algorithms (wire names,
/// in the order of the model's enums).
/// </summary>
public sealed record KeySpecInfo(string KeySpec, IReadOnlyList<string> KeyUsages)
{
    private readonly FrozenDictionary<string, IReadOnlyList<string>> _algorithmsByUsage =
        FrozenDictionary<string, IReadOnlyList<string>>.Empty;

    internal KeySpecInfo(string keySpec, params (string Usage, string[] Algorithms)[] usages)
        : this(keySpec, Array.AsReadOnly(usages.Select(u => u.Usage).ToArray())) =>
        _algorithmsByUsage = usages.ToFrozenDictionary(u => u.Usage, u => (IReadOnlyList<string>)Array.AsReadOnly(u.Algorithms));

    /// <summary>The encryption algorithms of the spec under <paramref name="keyUsage"/>; empty unless ENCRYPT_DECRYPT.</summary>
    public IReadOnlyList<string> EncryptionAlgorithms(string keyUsage) => For(EncryptDecrypt, keyUsage);

    /// <summary>The signing algorithms of the spec under <paramref name="keyUsage"/>; empty unless SIGN_VERIFY.</summary>
    public IReadOnlyList<string> SigningAlgorithms(string keyUsage) => For(SignVerify, keyUsage);

    /// <summary>The MAC algorithms of the spec under <paramref name="keyUsage"/>; empty unless GENERATE_VERIFY_MAC.</summary>
    public IReadOnlyList<string> MacAlgorithms(string keyUsage) => For(GenerateVerifyMac, keyUsage);

    /// <summary>The key agreement algorithms of the spec under <paramref name="keyUsage"/>; empty unless KEY_AGREEMENT.</summary>
    public IReadOnlyList<string> KeyAgreementAlgorithms(string keyUsage) => For(KeyAgreement, keyUsage);

    private IReadOnlyList<string> For(string kind, string keyUsage) =>
        keyUsage == kind && _algorithmsByUsage.TryGetValue(keyUsage, out var algorithms) ? algorithms : [];
}

/// <summary>
/// Every KeySpec of the AWS model with its key usages and algorithms, as CreateKey's documentation lists them:
/// RSA encrypts or signs; the NIST curves sign or agree keys; ECC_SECG_P256K1, Ed25519 and ML-DSA only sign;
/// SM2 encrypts, signs or agrees keys; HMAC keys only MAC.
/// </summary>
public static class KeySpecCatalog
{
    private static readonly string[] RsaEncryption = [OaepSha1, OaepSha256];
    private static readonly string[] RsaSigning = [PssSha256, PssSha384, PssSha512, Pkcs1Sha256, Pkcs1Sha384, Pkcs1Sha512];

    private static readonly FrozenDictionary<string, KeySpecInfo> Specs = new KeySpecInfo[]
    {
        new("SYMMETRIC_DEFAULT", (EncryptDecrypt, [SymmetricDefault])),
        new("RSA_2048", (EncryptDecrypt, RsaEncryption), (SignVerify, RsaSigning)),
        new("RSA_3072", (EncryptDecrypt, RsaEncryption), (SignVerify, RsaSigning)),
        new("RSA_4096", (EncryptDecrypt, RsaEncryption), (SignVerify, RsaSigning)),
        new("ECC_NIST_P256", (SignVerify, [EcdsaSha256]), (KeyAgreement, [Ecdh])),
        new("ECC_NIST_P384", (SignVerify, [EcdsaSha384]), (KeyAgreement, [Ecdh])),
        new("ECC_NIST_P521", (SignVerify, [EcdsaSha512]), (KeyAgreement, [Ecdh])),
        new("ECC_SECG_P256K1", (SignVerify, [EcdsaSha256])),
        new("ECC_NIST_EDWARDS25519", (SignVerify, [Ed25519Sha512, Ed25519PhSha512])),
        new("ML_DSA_44", (SignVerify, [MlDsaShake256])),
        new("ML_DSA_65", (SignVerify, [MlDsaShake256])),
        new("ML_DSA_87", (SignVerify, [MlDsaShake256])),
        new("SM2", (EncryptDecrypt, [Sm2Pke]), (SignVerify, [Sm2Dsa]), (KeyAgreement, [Ecdh])),
        new("HMAC_224", (GenerateVerifyMac, [HmacSha224])),
        new("HMAC_256", (GenerateVerifyMac, [HmacSha256])),
        new("HMAC_384", (GenerateVerifyMac, [HmacSha384])),
        new("HMAC_512", (GenerateVerifyMac, [HmacSha512])),
    }.ToFrozenDictionary(s => s.KeySpec);

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

    public static IReadOnlyCollection<KeySpecInfo> All => Specs.Values;
}
