using System.Security.Cryptography;
using static OrleansKms.Crypto.Keys.KmsNames;

namespace OrleansKms.Crypto.Keys;

/// <summary>
/// RSA_2048/3072/4096 on .NET's RSA: RSAES-OAEP with SHA-1 or SHA-256 (MGF1 with the same hash), RSASSA-PSS
/// (salt length = hash length) and RSASSA-PKCS1-v1_5 with SHA-256/384/512.
/// </summary>
internal sealed class RsaKey : AsymmetricKey
{
    private readonly RSA _rsa;
    private readonly byte[] _publicKeyDer;

    private RsaKey(string keySpec, RSA rsa)
    {
        KeySpec = keySpec;
        _rsa = rsa;
        _publicKeyDer = rsa.ExportSubjectPublicKeyInfo();
    }

    public override string KeySpec { get; }

    public override byte[] PublicKeyDer => (byte[])_publicKeyDer.Clone();

    internal static KeyFactory Factory(string keySpec, int bits) => new(
        () => RsaKeyPool.GeneratePkcs8(bits),
        pkcs8 => Load(keySpec, bits, pkcs8));

    private static RsaKey Load(string keySpec, int bits, ReadOnlySpan<byte> pkcs8)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportPkcs8PrivateKey(pkcs8, out int read);
            if (read != pkcs8.Length || rsa.KeySize != bits) throw NotAKeyOf(keySpec);
            return new RsaKey(keySpec, rsa);
        }
        catch (CryptographicException e)
        {
            rsa.Dispose();
            throw NotAKeyOf(keySpec, e);
        }
        catch
        {
            rsa.Dispose();
            throw;
        }
    }

    public override byte[] Sign(ReadOnlySpan<byte> message, string messageType, string signingAlgorithm)
    {
        var (hash, padding, hashLength) = SigningScheme(signingAlgorithm);
        return MessageKinds.Parse(messageType) switch
        {
            MessageKind.Raw => _rsa.SignData(message, hash, padding),
            MessageKind.Digest => SignDigest(message, hash, padding, hashLength, signingAlgorithm),
            _ => throw KmsCryptoException.MessageTypeNotAllowed(messageType, signingAlgorithm),
        };
    }

    public override bool Verify(ReadOnlySpan<byte> message, string messageType, ReadOnlySpan<byte> signature, string signingAlgorithm)
    {
        var (hash, padding, hashLength) = SigningScheme(signingAlgorithm);
        var kind = MessageKinds.Parse(messageType);
        if (kind == MessageKind.ExternalMu) throw KmsCryptoException.MessageTypeNotAllowed(messageType, signingAlgorithm);
        if (kind == MessageKind.Digest) RequireDigestLength(message, hashLength, signingAlgorithm);
        try
        {
            return kind == MessageKind.Raw
                ? _rsa.VerifyData(message, signature, hash, padding)
                : _rsa.VerifyHash(message, signature, hash, padding);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public override byte[] Encrypt(ReadOnlySpan<byte> plaintext, string encryptionAlgorithm)
    {
        var (padding, hashLength) = EncryptionScheme(encryptionAlgorithm);
        int max = _rsa.KeySize / 8 - 2 * hashLength - 2; // RFC 8017 7.1.1: k - 2hLen - 2
        if (plaintext.Length > max) throw KmsCryptoException.TooLarge(encryptionAlgorithm, KeySpec, max);
        return _rsa.Encrypt(plaintext, padding);
    }

    public override byte[] Decrypt(ReadOnlySpan<byte> ciphertext, string encryptionAlgorithm)
    {
        var (padding, _) = EncryptionScheme(encryptionAlgorithm);
        if (ciphertext.Length != _rsa.KeySize / 8) throw KmsCryptoException.BadCiphertext();
        try
        {
            return _rsa.Decrypt(ciphertext, padding);
        }
        catch (CryptographicException)
        {
            throw KmsCryptoException.BadCiphertext();
        }
    }

    public override void Dispose()
    {
        _rsa.Dispose();
        base.Dispose();
    }

    private byte[] SignDigest(ReadOnlySpan<byte> digest, HashAlgorithmName hash, RSASignaturePadding padding, int hashLength, string algorithm)
    {
        RequireDigestLength(digest, hashLength, algorithm);
        return _rsa.SignHash(digest, hash, padding);
    }

    private (HashAlgorithmName Hash, RSASignaturePadding Padding, int HashLength) SigningScheme(string algorithm) => algorithm switch
    {
        PssSha256 => (HashAlgorithmName.SHA256, RSASignaturePadding.Pss, 32),
        PssSha384 => (HashAlgorithmName.SHA384, RSASignaturePadding.Pss, 48),
        PssSha512 => (HashAlgorithmName.SHA512, RSASignaturePadding.Pss, 64),
        Pkcs1Sha256 => (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, 32),
        Pkcs1Sha384 => (HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1, 48),
        Pkcs1Sha512 => (HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1, 64),
        _ => throw KmsCryptoException.Incompatible(algorithm, KeySpec),
    };

    private (RSAEncryptionPadding Padding, int HashLength) EncryptionScheme(string algorithm) => algorithm switch
    {
        OaepSha1 => (RSAEncryptionPadding.OaepSHA1, 20),
        OaepSha256 => (RSAEncryptionPadding.OaepSHA256, 32),
        _ => throw KmsCryptoException.Incompatible(algorithm, KeySpec),
    };
}
