namespace OrleansKms.Crypto.Keys;

/// <summary>
/// The AWS wire names of key specs, key usages, message types and algorithms: defined here once, for the whole
/// service. (<c>KmsValues</c> in the contracts repeats the two CreateKey defaults, SYMMETRIC_DEFAULT and
/// ENCRYPT_DECRYPT, because the contracts do not depend on this assembly; a unit test keeps them equal.)
/// </summary>
public static class KmsNames
{
    public const string SignVerify = "SIGN_VERIFY";
    public const string EncryptDecrypt = "ENCRYPT_DECRYPT";
    public const string GenerateVerifyMac = "GENERATE_VERIFY_MAC";
    public const string KeyAgreement = "KEY_AGREEMENT";

    public const string Raw = "RAW";
    public const string Digest = "DIGEST";
    public const string ExternalMu = "EXTERNAL_MU";

    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";
    public const string OaepSha1 = "RSAES_OAEP_SHA_1";
    public const string OaepSha256 = "RSAES_OAEP_SHA_256";
    public const string Sm2Pke = "SM2PKE";

    public const string PssSha256 = "RSASSA_PSS_SHA_256";
    public const string PssSha384 = "RSASSA_PSS_SHA_384";
    public const string PssSha512 = "RSASSA_PSS_SHA_512";
    public const string Pkcs1Sha256 = "RSASSA_PKCS1_V1_5_SHA_256";
    public const string Pkcs1Sha384 = "RSASSA_PKCS1_V1_5_SHA_384";
    public const string Pkcs1Sha512 = "RSASSA_PKCS1_V1_5_SHA_512";
    public const string EcdsaSha256 = "ECDSA_SHA_256";
    public const string EcdsaSha384 = "ECDSA_SHA_384";
    public const string EcdsaSha512 = "ECDSA_SHA_512";
    public const string Sm2Dsa = "SM2DSA";
    public const string MlDsaShake256 = "ML_DSA_SHAKE_256";
    public const string Ed25519Sha512 = "ED25519_SHA_512";
    public const string Ed25519PhSha512 = "ED25519_PH_SHA_512";

    public const string Ecdh = "ECDH";

    public const string HmacSha224 = "HMAC_SHA_224";
    public const string HmacSha256 = "HMAC_SHA_256";
    public const string HmacSha384 = "HMAC_SHA_384";
    public const string HmacSha512 = "HMAC_SHA_512";
}

/// <summary>How a signing message is to be read (the MessageType of Sign and Verify).</summary>
internal enum MessageKind { Raw, Digest, ExternalMu }

internal static class MessageKinds
{
    public static MessageKind Parse(string messageType) => messageType switch
    {
        KmsNames.Raw => MessageKind.Raw,
        KmsNames.Digest => MessageKind.Digest,
        KmsNames.ExternalMu => MessageKind.ExternalMu,
        _ => throw new KmsCryptoException(KmsCryptoError.InvalidMessage,
            $"MessageType {messageType} is not one of {KmsNames.Raw}, {KmsNames.Digest}, {KmsNames.ExternalMu}."),
    };
}
