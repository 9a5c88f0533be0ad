using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.EdEC;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using static OrleansKms.Crypto.Keys.KmsNames;

namespace OrleansKms.Crypto.Keys;

/// <summary>
/// ECC_NIST_EDWARDS25519 on BouncyCastle (RFC 8032). ED25519_SHA_512 is pure Ed25519 over a RAW message;
/// ED25519_PH_SHA_512 is Ed25519ph over a DIGEST message of 64 bytes, which, as AWS documents, is still
/// pre-hashed with SHA-512 by the algorithm (the caller's digest is hashed a second time). Neither accepts the
/// other's message type. The private key is written as RFC 8410's plain PKCS#8 (version 0, no public key) that
/// OpenSSL 3.0 reads; both versions load.
/// </summary>
internal sealed class Ed25519Key : AsymmetricKey
{
    private const string Spec = "ECC_NIST_EDWARDS25519";
    private const int DigestLength = 64;

    private readonly Ed25519PrivateKeyParameters _private;
    private readonly Ed25519PublicKeyParameters _public;
    private readonly byte[] _publicKeyDer;

    private Ed25519Key(Ed25519PrivateKeyParameters privateKey)
    {
        _private = privateKey;
        _public = privateKey.GeneratePublicKey();
        _publicKeyDer = BcKeyCodec.PublicKeyDer(_public);
    }

    public override string KeySpec => Spec;

    public override byte[] PublicKeyDer => (byte[])_publicKeyDer.Clone();

    internal static KeyFactory Factory() => new(Generate, pkcs8 => new Ed25519Key(BcKeyCodec.LoadPrivate<Ed25519PrivateKeyParameters>(Spec, pkcs8)));

    private static SecretBytes Generate()
    {
        var key = new Ed25519PrivateKeyParameters(new SecureRandom());
        var seed = key.GetEncoded();
        try
        {
            var info = new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), new DerOctetString(seed));
            return SecretBytes.TakeOwnership(info.GetDerEncoded());
        }
        finally
        {
            Array.Clear(seed);
        }
    }

    public override byte[] Sign(ReadOnlySpan<byte> message, string messageType, string signingAlgorithm)
    {
        var signer = SignerFor(message, messageType, signingAlgorithm);
        signer.Init(true, _private);
        signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    public override bool Verify(ReadOnlySpan<byte> message, string messageType, ReadOnlySpan<byte> signature, string signingAlgorithm)
    {
        var signer = SignerFor(message, messageType, signingAlgorithm);
        signer.Init(false, _public);
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

    private ISigner SignerFor(ReadOnlySpan<byte> message, string messageType, string signingAlgorithm)
    {
        var kind = signingAlgorithm switch
        {
            Ed25519Sha512 or Ed25519PhSha512 => MessageKinds.Parse(messageType),
            _ => throw KmsCryptoException.Incompatible(signingAlgorithm, KeySpec),
        };
        switch (signingAlgorithm, kind)
        {
            case (Ed25519Sha512, MessageKind.Raw):
                return new Ed25519Signer();
            case (Ed25519PhSha512, MessageKind.Digest):
                RequireDigestLength(message, DigestLength, signingAlgorithm);
                return new Ed25519phSigner([]);
            default:
                throw KmsCryptoException.MessageTypeNotAllowed(messageType, signingAlgorithm);
        }
    }
}
