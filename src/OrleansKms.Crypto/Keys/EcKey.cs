using System.Security.Cryptography;
using static OrleansKms.Crypto.Keys.KmsNames;

namespace OrleansKms.Crypto.Keys;

/// <summary>One of the short-Weierstrass curves .NET serves: its key spec, curve and signing algorithm.</summary>
internal sealed record EcCurveSpec(string KeySpec, string CurveOid, string SigningAlgorithm, HashAlgorithmName Hash, int HashLength)
{
    public static readonly EcCurveSpec P256 = new("ECC_NIST_P256", "1.2.840.10045.3.1.7", EcdsaSha256, HashAlgorithmName.SHA256, 32);
    public static readonly EcCurveSpec P384 = new("ECC_NIST_P384", "1.3.132.0.34", EcdsaSha384, HashAlgorithmName.SHA384, 48);
    public static readonly EcCurveSpec P521 = new("ECC_NIST_P521", "1.3.132.0.35", EcdsaSha512, HashAlgorithmName.SHA512, 64);
    public static readonly EcCurveSpec Secp256k1 = new("ECC_SECG_P256K1", "1.3.132.0.10", EcdsaSha256, HashAlgorithmName.SHA256, 32);

    public ECCurve Curve => ECCurve.CreateFromValue(CurveOid);
}

/// <summary>
/// ECC_NIST_P256/P384/P521 and ECC_SECG_P256K1 on .NET's ECDsa and ECDiffieHellman: ECDSA with DER-encoded
/// (RFC 3279) signatures, and ECDH returning the raw x-coordinate of the shared point.
/// </summary>
internal sealed class EcKey : AsymmetricKey
{
    private readonly EcCurveSpec _spec;
    private readonly ECDsa _ecdsa;
    private readonly ECDiffieHellman _ecdh;
    private readonly byte[] _publicKeyDer;

    private EcKey(EcCurveSpec spec, ECDsa ecdsa, ECDiffieHellman ecdh)
    {
        _spec = spec;
        _ecdsa = ecdsa;
        _ecdh = ecdh;
        _publicKeyDer = ecdsa.ExportSubjectPublicKeyInfo();
    }

    public override string KeySpec => _spec.KeySpec;

    public override byte[] PublicKeyDer => (byte[])_publicKeyDer.Clone();

    internal static KeyFactory Factory(EcCurveSpec spec) => new(
        () =>
        {
            using var ecdsa = ECDsa.Create(spec.Curve);
            return SecretBytes.TakeOwnership(ecdsa.ExportPkcs8PrivateKey());
        },
        pkcs8 => Load(spec, pkcs8));

    private static EcKey Load(EcCurveSpec spec, ReadOnlySpan<byte> pkcs8)
    {
        var ecdsa = ECDsa.Create();
        var ecdh = ECDiffieHellman.Create();
        try
        {
            ecdsa.ImportPkcs8PrivateKey(pkcs8, out int read);
            if (read != pkcs8.Length || CurveOf(ecdsa.ExportParameters(false)) != spec.CurveOid) throw NotAKeyOf(spec.KeySpec);
            ecdh.ImportPkcs8PrivateKey(pkcs8, out _);
            return new EcKey(spec, ecdsa, ecdh);
        }
        catch (Exception e)
        {
            ecdsa.Dispose();
            ecdh.Dispose();
            throw e is CryptographicException ? NotAKeyOf(spec.KeySpec, e) : e;
        }
    }

    public override byte[] Sign(ReadOnlySpan<byte> message, string messageType, string signingAlgorithm)
    {
        RequireAlgorithm(signingAlgorithm);
        return MessageKinds.Parse(messageType) switch
        {
            MessageKind.Raw => _ecdsa.SignData(message, _spec.Hash, DSASignatureFormat.Rfc3279DerSequence),
            MessageKind.Digest => SignDigest(message),
            _ => throw KmsCryptoException.MessageTypeNotAllowed(messageType, signingAlgorithm),
        };
    }

    public override bool Verify(ReadOnlySpan<byte> message, string messageType, ReadOnlySpan<byte> signature, string signingAlgorithm)
    {
        RequireAlgorithm(signingAlgorithm);
        var kind = MessageKinds.Parse(messageType);
        if (kind == MessageKind.ExternalMu) throw KmsCryptoException.MessageTypeNotAllowed(messageType, signingAlgorithm);
        if (kind == MessageKind.Digest) RequireDigestLength(message, _spec.HashLength, signingAlgorithm);
        try
        {
            return kind == MessageKind.Raw
                ? _ecdsa.VerifyData(message, signature, _spec.Hash, DSASignatureFormat.Rfc3279DerSequence)
                : _ecdsa.VerifyHash(message, signature, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    public override byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerPublicKeyDer)
    {
        using var peer = ECDiffieHellman.Create();
        try
        {
            peer.ImportSubjectPublicKeyInfo(peerPublicKeyDer, out int read);
            if (read != peerPublicKeyDer.Length) throw KmsCryptoException.BadPublicKey("The public key has trailing bytes.");
            if (CurveOf(peer.ExportParameters(false)) != _spec.CurveOid)
                throw KmsCryptoException.BadPublicKey($"The public key is not on the curve of key spec {KeySpec}.");
            using var peerKey = peer.PublicKey;
            return _ecdh.DeriveRawSecretAgreement(peerKey);
        }
        catch (CryptographicException)
        {
            throw KmsCryptoException.BadPublicKey("The public key is not a valid DER-encoded SubjectPublicKeyInfo of an EC point.");
        }
    }

    public override void Dispose()
    {
        _ecdsa.Dispose();
        _ecdh.Dispose();
        base.Dispose();
    }

    private static string? CurveOf(ECParameters parameters) =>
        parameters.Curve.IsNamed ? parameters.Curve.Oid.Value : null;

    private byte[] SignDigest(ReadOnlySpan<byte> digest)
    {
        RequireDigestLength(digest, _spec.HashLength, _spec.SigningAlgorithm);
        return _ecdsa.SignHash(digest, DSASignatureFormat.Rfc3279DerSequence);
    }

    private void RequireAlgorithm(string algorithm)
    {
        if (algorithm != _spec.SigningAlgorithm) throw KmsCryptoException.Incompatible(algorithm, KeySpec);
    }
}
