using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OrleansKms.Crypto.Keys;

/// <summary>PKCS#8 and SubjectPublicKeyInfo through BouncyCastle, for the specs .NET does not serve here.</summary>
internal static class BcKeyCodec
{
    /// <summary>Parses exactly one DER PrivateKeyInfo; any failure becomes the spec's ArgumentException.</summary>
    public static T LoadPrivate<T>(string keySpec, ReadOnlySpan<byte> pkcs8) where T : AsymmetricKeyParameter
    {
        try
        {
            var info = PrivateKeyInfo.GetInstance(Asn1Object.FromByteArray(pkcs8.ToArray()));
            return PrivateKeyFactory.CreateKey(info) as T ?? throw AsymmetricKey.NotAKeyOf(keySpec);
        }
        catch (Exception e) when (e is not ArgumentException { ParamName: "pkcs8" })
        {
            throw AsymmetricKey.NotAKeyOf(keySpec, e);
        }
    }

    /// <summary>Parses exactly one DER SubjectPublicKeyInfo; null if it is malformed or of another key type.</summary>
    public static T? TryLoadPublic<T>(ReadOnlySpan<byte> spki) where T : AsymmetricKeyParameter
    {
        try
        {
            var info = SubjectPublicKeyInfo.GetInstance(Asn1Object.FromByteArray(spki.ToArray()));
            return PublicKeyFactory.CreateKey(info) as T;
        }
        catch (Exception)
        {
            return null;
        }
    }

    public static byte[] PublicKeyDer(AsymmetricKeyParameter publicKey) =>
        SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(publicKey).GetDerEncoded();

    public static byte[] PrivateKeyDer(AsymmetricKeyParameter privateKey) =>
        PrivateKeyInfoFactory.CreatePrivateKeyInfo(privateKey).GetDerEncoded();
}
