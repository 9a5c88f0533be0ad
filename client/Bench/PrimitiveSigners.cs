using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.Cli.Bench;

/// <summary>
/// The bare signature primitives <c>kms bench --asymmetric-primitive</c> compares the service with: a key of the same
/// spec generated here and loaded once, and the one call that signs or verifies with it.
/// </summary>
internal abstract class PrimitiveSigner : IDisposable
{
    /// <summary>What is signed: a digest (RSA, ECDSA) or a 256-byte message (Ed25519, ML-DSA).</summary>
    public required byte[] Message { get; init; }

    /// <summary>The MessageType the service is given for <see cref="Message"/>.</summary>
    public required string MessageType { get; init; }

    public abstract byte[] Sign();

    public abstract bool Verify(byte[] signature);

    public virtual void Dispose()
    {
    }
}

internal static class PrimitiveSigners
{
    /// <summary>The algorithms measured for a spec: every one AWS lists, but Ed25519's pre-hashed variant.</summary>
    public static IEnumerable<string> AlgorithmsOf(string spec) =>
        KeySpecCatalog.Get(spec).SigningAlgorithms(KmsNames.SignVerify).Where(a => a != "ED25519_PH_SHA_512");

    public static PrimitiveSigner Create(string spec, string algorithm)
    {
        var message = RandomNumberGenerator.GetBytes(256);
        if (spec.StartsWith("RSA_", StringComparison.Ordinal))
        {
            var hash = HashOf(algorithm);
            return new RsaSigner(RSA.Create(RsaKeyPool.BitsOf(spec)!.Value), hash,
                algorithm.Contains("PSS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1)
            {
                Message = Digest(hash, message), MessageType = "DIGEST",
            };
        }

        if (spec.StartsWith("ECC_", StringComparison.Ordinal) && spec != "ECC_NIST_EDWARDS25519")
        {
            var curve = spec switch
            {
                "ECC_NIST_P256" => ECCurve.NamedCurves.nistP256,
                "ECC_NIST_P384" => ECCurve.NamedCurves.nistP384,
                "ECC_NIST_P521" => ECCurve.NamedCurves.nistP521,
                _ => ECCurve.CreateFromValue("1.3.132.0.10"),
            };
            return new EcdsaSigner(ECDsa.Create(curve)) { Message = Digest(HashOf(algorithm), message), MessageType = "DIGEST" };
        }

        if (spec == "ECC_NIST_EDWARDS25519") return new Ed25519BareSigner(new Ed25519PrivateKeyParameters(new SecureRandom())) { Message = message, MessageType = "RAW" };
        var parameters = spec switch
        {
            "ML_DSA_44" => MLDsaParameters.ml_dsa_44,
            "ML_DSA_65" => MLDsaParameters.ml_dsa_65,
            "ML_DSA_87" => MLDsaParameters.ml_dsa_87,
            _ => throw new ArgumentException($"no bare primitive for {spec}", nameof(spec)),
        };
        var generator = new MLDsaKeyPairGenerator();
        generator.Init(new MLDsaKeyGenerationParameters(new SecureRandom(), parameters));
        var pair = generator.GenerateKeyPair();
        return new MlDsaBareSigner(parameters, (MLDsaPrivateKeyParameters)pair.Private, (MLDsaPublicKeyParameters)pair.Public)
        {
            Message = message, MessageType = "RAW",
        };
    }

    private static HashAlgorithmName HashOf(string algorithm) =>
        algorithm.EndsWith("512", StringComparison.Ordinal) ? HashAlgorithmName.SHA512
        : algorithm.EndsWith("384", StringComparison.Ordinal) ? HashAlgorithmName.SHA384
        : HashAlgorithmName.SHA256;

    private static byte[] Digest(HashAlgorithmName hash, byte[] message) =>
        hash == HashAlgorithmName.SHA512 ? SHA512.HashData(message) : hash == HashAlgorithmName.SHA384 ? SHA384.HashData(message) : SHA256.HashData(message);

    private sealed class RsaSigner(RSA rsa, HashAlgorithmName hash, RSASignaturePadding padding) : PrimitiveSigner
    {
        public override byte[] Sign() => rsa.SignHash(Message, hash, padding);

        public override bool Verify(byte[] signature) => rsa.VerifyHash(Message, signature, hash, padding);

        public override void Dispose() => rsa.Dispose();
    }

    private sealed class EcdsaSigner(ECDsa ecdsa) : PrimitiveSigner
    {
        public override byte[] Sign() => ecdsa.SignHash(Message, DSASignatureFormat.Rfc3279DerSequence);

        public override bool Verify(byte[] signature) => ecdsa.VerifyHash(Message, signature, DSASignatureFormat.Rfc3279DerSequence);

        public override void Dispose() => ecdsa.Dispose();
    }

    private sealed class Ed25519BareSigner(Ed25519PrivateKeyParameters key) : PrimitiveSigner
    {
        private readonly Ed25519PublicKeyParameters _public = key.GeneratePublicKey();

        public override byte[] Sign()
        {
            var signer = new Ed25519Signer();
            signer.Init(true, key);
            signer.BlockUpdate(Message, 0, Message.Length);
            return signer.GenerateSignature();
        }

        public override bool Verify(byte[] signature)
        {
            var verifier = new Ed25519Signer();
            verifier.Init(false, _public);
            verifier.BlockUpdate(Message, 0, Message.Length);
            return verifier.VerifySignature(signature);
        }
    }

    private sealed class MlDsaBareSigner(MLDsaParameters parameters, MLDsaPrivateKeyParameters key, MLDsaPublicKeyParameters publicKey) : PrimitiveSigner
    {
        public override byte[] Sign()
        {
            var signer = new MLDsaSigner(parameters, deterministic: false);
            signer.Init(true, key);
            signer.BlockUpdate(Message, 0, Message.Length);
            return signer.GenerateSignature();
        }

        public override bool Verify(byte[] signature)
        {
            var verifier = new MLDsaSigner(parameters, deterministic: false);
            verifier.Init(false, publicKey);
            verifier.BlockUpdate(Message, 0, Message.Length);
            return verifier.VerifySignature(signature);
        }
    }
}
