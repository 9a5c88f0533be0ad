using Org.BouncyCastle.Asn1;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;

namespace OrleansKms.Crypto.Keys;

/// <summary>
/// SM2PKE ciphertext in the ASN.1 form of GM/T 0009, which AWS KMS returns and accepts and OpenSSL writes:
/// <code>
/// SEQUENCE {
///   INTEGER      x of C1 = kG
///   INTEGER      y of C1
///   OCTET STRING C3 = SM3(x2 || M || y2), 32 bytes
///   OCTET STRING C2 = M xor KDF(x2 || y2), as long as M
/// }
/// </code>
/// BouncyCastle's engine speaks the raw C1 || C3 || C2 form (C1 an uncompressed point); this type only converts.
/// Only DER is accepted.
/// </summary>
internal static class Sm2Ciphertext
{
    private const int CoordinateLength = 32;
    private const int C1Length = 1 + 2 * CoordinateLength;
    private const int C3Length = 32;

    public static byte[] Encrypt(ECPublicKeyParameters publicKey, ReadOnlySpan<byte> plaintext)
    {
        var engine = new SM2Engine(SM2Engine.Mode.C1C3C2);
        engine.Init(true, new ParametersWithRandom(publicKey, new SecureRandom()));
        var raw = engine.ProcessBlock(plaintext);
        var sequence = new DerSequence(
            new DerInteger(new BigInteger(1, raw, 1, CoordinateLength)),
            new DerInteger(new BigInteger(1, raw, 1 + CoordinateLength, CoordinateLength)),
            new DerOctetString(raw.AsSpan(C1Length, C3Length).ToArray()),
            new DerOctetString(raw.AsSpan(C1Length + C3Length).ToArray()));
        return sequence.GetDerEncoded();
    }

    public static byte[] Decrypt(ECPrivateKeyParameters privateKey, ReadOnlySpan<byte> ciphertext)
    {
        var raw = ToRaw(ciphertext) ?? throw KmsCryptoException.BadCiphertext();
        try
        {
            var engine = new SM2Engine(SM2Engine.Mode.C1C3C2);
            engine.Init(false, privateKey);
            return engine.ProcessBlock(raw);
        }
        catch (Exception)
        {
            throw KmsCryptoException.BadCiphertext();
        }
    }

    /// <summary>The raw C1 || C3 || C2 of a DER ciphertext, or null if it is not one.</summary>
    private static byte[]? ToRaw(ReadOnlySpan<byte> ciphertext)
    {
        try
        {
            var input = ciphertext.ToArray();
            if (Asn1Object.FromByteArray(input) is not Asn1Sequence { Count: 4 } sequence) return null;
            if (!Arrays.AreEqual(sequence.GetDerEncoded(), input)) return null;
            var x = DerInteger.GetInstance(sequence[0]).Value;
            var y = DerInteger.GetInstance(sequence[1]).Value;
            var c3 = Asn1OctetString.GetInstance(sequence[2]).GetOctets();
            var c2 = Asn1OctetString.GetInstance(sequence[3]).GetOctets();
            if (x.SignValue < 0 || y.SignValue < 0 || c3.Length != C3Length || c2.Length == 0) return null;
            if (BigIntegers.GetUnsignedByteLength(x) > CoordinateLength || BigIntegers.GetUnsignedByteLength(y) > CoordinateLength) return null;
            return [0x04, .. BigIntegers.AsUnsignedByteArray(CoordinateLength, x),
                .. BigIntegers.AsUnsignedByteArray(CoordinateLength, y), .. c3, .. c2];
        }
        catch (Exception)
        {
            return null;
        }
    }
}
