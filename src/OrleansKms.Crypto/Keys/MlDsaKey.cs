using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using static OrleansKms.Crypto.Keys.KmsNames;

namespace OrleansKms.Crypto.Keys;

/// <summary>
/// ML_DSA_44/65/87 on BouncyCastle (FIPS 204): ML_DSA_SHAKE_256 is pure, hedged ML-DSA with an empty context over a
/// RAW message, or over an EXTERNAL_MU message, the 64-byte mu = SHAKE256(SHAKE256(pk, 64) || 0x00 || 0x00 || M, 64)
/// of FIPS 204 section 6.2, which gives the same signatures as RAW over M. DIGEST is not allowed (HashML-DSA is not
/// what AWS offers). Private keys are written in BouncyCastle's default PKCS#8 form (seed and expanded key); the
/// seed-only and expanded-only forms load too.
/// </summary>
internal sealed class MlDsaKey : AsymmetricKey
{
    private const int MuLength = 64;

    private readonly MLDsaParameters _parameters;
    private readonly MLDsaPrivateKeyParameters _private;
    private readonly MLDsaPublicKeyParameters _public;
    private readonly byte[] _publicKeyDer;

    private MlDsaKey(string keySpec, MLDsaParameters parameters, MLDsaPrivateKeyParameters privateKey)
    {
        KeySpec = keySpec;
        _parameters = parameters;
        _private = privateKey;
        _public = privateKey.GetPublicKey();
        _publicKeyDer = BcKeyCodec.PublicKeyDer(_public);
    }

    public override string KeySpec { get; }

    public override byte[] PublicKeyDer => (byte[])_publicKeyDer.Clone();

    internal static KeyFactory Factory(string keySpec, MLDsaParameters parameters) => new(
        () =>
        {
            var generator = new MLDsaKeyPairGenerator();
            generator.Init(new MLDsaKeyGenerationParameters(new SecureRandom(), parameters));
            return SecretBytes.TakeOwnership(BcKeyCodec.PrivateKeyDer(generator.GenerateKeyPair().Private));
        },
        pkcs8 =>
        {
            var key = BcKeyCodec.LoadPrivate<MLDsaPrivateKeyParameters>(keySpec, pkcs8);
            return key.Parameters == parameters ? new MlDsaKey(keySpec, parameters, key) : throw NotAKeyOf(keySpec);
        });

    public override byte[] Sign(ReadOnlySpan<byte> message, string messageType, string signingAlgorithm)
    {
        bool externalMu = IsExternalMu(message, messageType, signingAlgorithm);
        var signer = new MLDsaSigner(_parameters, deterministic: false);
        signer.Init(true, _private);
        if (externalMu) MlDsaExternalMu.Inject(signer, message);
        else signer.BlockUpdate(message);
        return signer.GenerateSignature();
    }

    public override bool Verify(ReadOnlySpan<byte> message, string messageType, ReadOnlySpan<byte> signature, string signingAlgorithm)
    {
        bool externalMu = IsExternalMu(message, messageType, signingAlgorithm);
        var verifier = new MLDsaSigner(_parameters, deterministic: false);
        verifier.Init(false, _public);
        if (externalMu) MlDsaExternalMu.Inject(verifier, message);
        else verifier.BlockUpdate(message);
        try
        {
            return verifier.VerifySignature(signature.ToArray());
        }
        catch (Exception)
        {
            return false;
        }
    }

    private bool IsExternalMu(ReadOnlySpan<byte> message, string messageType, string signingAlgorithm)
    {
        if (signingAlgorithm != MlDsaShake256) throw KmsCryptoException.Incompatible(signingAlgorithm, KeySpec);
        switch (MessageKinds.Parse(messageType))
        {
            case MessageKind.Raw:
                return false;
            case MessageKind.ExternalMu:
                RequireDigestLength(message, MuLength, signingAlgorithm);
                return true;
            default:
                throw KmsCryptoException.MessageTypeNotAllowed(messageType, signingAlgorithm);
        }
    }
}
