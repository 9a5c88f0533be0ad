using System.Text;
using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC.Multiplier;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;
using static OrleansKms.Crypto.Keys.KmsNames;

namespace OrleansKms.Crypto.Keys;

/// <summary>
/// SM2 (curve sm2p256v1) on BouncyCastle. SM2DSA signs with SM3 and the default distinguishing id
/// "1234567812345678" (GM/T 0009-2012): RAW messages are hashed as e = SM3(Z_A || M); a DIGEST message is that
/// 32-byte e. Signatures are DER SEQUENCE { r, s }. SM2PKE ciphertext is the ASN.1 form AWS and OpenSSL use
/// (<see cref="Sm2Ciphertext"/>). ECDH returns the 32-byte x-coordinate of d·Q.
/// </summary>
internal sealed class Sm2Key : AsymmetricKey
{
    private const string Spec = "SM2";
    private const int DigestLength = 32;
    private const int MaxPlaintext = 1024;
    private static readonly byte[] DistinguishingId = Encoding.ASCII.GetBytes("1234567812345678");

    private readonly ECPrivateKeyParameters _private;
    private readonly ECPublicKeyParameters _public;
    private readonly byte[] _publicKeyDer;

    private Sm2Key(ECPrivateKeyParameters privateKey)
    {
        _private = privateKey;
        var q = new FixedPointCombMultiplier().Multiply(privateKey.Parameters.G, privateKey.D).Normalize();
        _public = new ECPublicKeyParameters("EC", q, GMObjectIdentifiers.sm2p256v1);
        _publicKeyDer = BcKeyCodec.PublicKeyDer(_public);
    }

    public override string KeySpec => Spec;

    public override byte[] PublicKeyDer => (byte[])_publicKeyDer.Clone();

    internal static KeyFactory Factory() => new(
        () =>
        {
            var generator = new ECKeyPairGenerator();
            generator.Init(new ECKeyGenerationParameters(GMObjectIdentifiers.sm2p256v1, new SecureRandom()));
            return SecretBytes.TakeOwnership(BcKeyCodec.PrivateKeyDer(generator.GenerateKeyPair().Private));
        },
        pkcs8 =>
        {
            var key = BcKeyCodec.LoadPrivate<ECPrivateKeyParameters>(Spec, pkcs8);
            return GMObjectIdentifiers.sm2p256v1.Equals(key.PublicKeyParamSet) ? new Sm2Key(key) : throw NotAKeyOf(Spec);
        });

    public override byte[] Sign(ReadOnlySpan<byte> message, string messageType, string signingAlgorithm)
    {
        var signer = SignerFor(message, messageType, signingAlgorithm);
        signer.Init(true, new ParametersWithID(new ParametersWithRandom(_private, new SecureRandom()), DistinguishingId));
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    public override bool Verify(ReadOnlySpan<byte> message, string messageType, ReadOnlySpan<byte> signature, string signingAlgorithm)
    {
        var signer = SignerFor(message, messageType, signingAlgorithm);
        signer.Init(false, new ParametersWithID(_public, DistinguishingId));
        signer.BlockUpdate(message);
        try
        {
            return signer.VerifySignature(signature.ToArray());
        }
        catch (Exception)
        {
            return false;
        }
    }

    public override byte[] Encrypt(ReadOnlySpan<byte> plaintext, string encryptionAlgorithm)
    {
        RequireEncryption(encryptionAlgorithm);
        if (plaintext.Length > MaxPlaintext) throw KmsCryptoException.TooLarge(encryptionAlgorithm, KeySpec, MaxPlaintext);
        if (plaintext.IsEmpty) throw new KmsCryptoException(KmsCryptoError.InvalidMessage, "SM2PKE cannot encrypt an empty plaintext.");
        return Sm2Ciphertext.Encrypt(_public, plaintext);
    }

    public override byte[] Decrypt(ReadOnlySpan<byte> ciphertext, string encryptionAlgorithm)
    {
        RequireEncryption(encryptionAlgorithm);
        return Sm2Ciphertext.Decrypt(_private, ciphertext);
    }

    public override byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerPublicKeyDer)
    {
        var peer = BcKeyCodec.TryLoadPublic<ECPublicKeyParameters>(peerPublicKeyDer)
            ?? throw KmsCryptoException.BadPublicKey("The public key is not a valid DER-encoded SubjectPublicKeyInfo of an EC point.");
        if (!GMObjectIdentifiers.sm2p256v1.Equals(peer.PublicKeyParamSet))
            throw KmsCryptoException.BadPublicKey($"The public key is not on the curve of key spec {KeySpec}.");
        var agreement = new ECDHBasicAgreement();
        agreement.Init(_private);
        try
        {
            return BigIntegers.AsUnsignedByteArray(agreement.GetFieldSize(), agreement.CalculateAgreement(peer));
        }
        catch (InvalidOperationException)
        {
            throw KmsCryptoException.BadPublicKey("The public key gives no shared secret with this key.");
        }
    }

    private void RequireEncryption(string algorithm)
    {
        if (algorithm != Sm2Pke) throw KmsCryptoException.Incompatible(algorithm, KeySpec);
    }

    private ISigner SignerFor(ReadOnlySpan<byte> message, string messageType, string signingAlgorithm)
    {
        if (signingAlgorithm != Sm2Dsa) throw KmsCryptoException.Incompatible(signingAlgorithm, KeySpec);
        switch (MessageKinds.Parse(messageType))
        {
            case MessageKind.Raw:
                return new SM2Signer();
            case MessageKind.Digest:
                RequireDigestLength(message, DigestLength, signingAlgorithm);
                return new DigestSm2Signer(message.ToArray());
            default:
                throw KmsCryptoException.MessageTypeNotAllowed(messageType, signingAlgorithm);
        }
    }

    /// <summary>
    /// SM2DSA over a given e = SM3(Z_A || M): BouncyCastle's signer with its designed hook for e, so the hash it
    /// computes over Z_A and the (ignored) data is discarded.
    /// </summary>
    private sealed class DigestSm2Signer(byte[] e) : SM2Signer
    {
        protected override BigInteger CalculateE(BigInteger n, byte[] message) => new(1, e);
    }
}
