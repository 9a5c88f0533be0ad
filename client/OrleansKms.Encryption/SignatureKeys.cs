using System.Numerics;
using System.Security.Cryptography;

namespace OrleansKms.Encryption;

/// <summary>
/// The ECDSA P-384 keys of the signed suite. The verification key travels in the encryption context under
/// <c>aws-crypto-public-key</c> as the base64 of its SEC 1 compressed point (0x02 or 0x03 by the parity of y, then x:
/// 49 bytes). .NET exports only uncompressed points, so this type compresses and decompresses (y from x on the curve
/// y^2 = x^3 - 3x + b; P-384's prime is 3 mod 4, so the square root is a single power).
/// </summary>
internal static class SignatureKeys
{
    private const int CoordinateLength = 48;

    // P-384's b (FIPS 186-4, D.1.2.4).
    private static readonly BigInteger CurveB = Parse("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef");

    // P-384's prime: 2^384 - 2^128 - 2^96 + 2^32 - 1.
    private static readonly BigInteger P = BigInteger.Pow(2, 384) - BigInteger.Pow(2, 128) - BigInteger.Pow(2, 96) + BigInteger.Pow(2, 32) - 1;

    public static ECDsa Create() => ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public static string PublicKeyText(ECDsa key)
    {
        var point = key.ExportParameters(false).Q;
        var compressed = new byte[1 + CoordinateLength];
        compressed[0] = (byte)(0x02 | (point.Y![^1] & 1));
        point.X!.CopyTo(compressed, 1);
        return Convert.ToBase64String(compressed);
    }

    public static ECDsa FromPublicKeyText(string text)
    {
        byte[] compressed;
        try
        {
            compressed = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            throw new MessageTamperedException("The message's signature public key is not base64.");
        }

        if (compressed.Length != 1 + CoordinateLength || compressed[0] is not (0x02 or 0x03))
            throw new MessageTamperedException("The message's signature public key is not a compressed P-384 point.");
        var x = new BigInteger(compressed.AsSpan(1), isUnsigned: true, isBigEndian: true);
        var rhs = Mod(BigInteger.ModPow(x, 3, P) - 3 * x + CurveB);
        var y = BigInteger.ModPow(rhs, (P + 1) / 4, P);
        if (BigInteger.ModPow(y, 2, P) != rhs) throw new MessageTamperedException("The message's signature public key is not on the P-384 curve.");
        if ((y.IsEven ? 0x02 : 0x03) != compressed[0]) y = P - y;
        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP384,
            Q = new ECPoint { X = compressed[1..], Y = Fixed(y) },
        };
        try
        {
            return ECDsa.Create(parameters);
        }
        catch (CryptographicException)
        {
            throw new MessageTamperedException("The message's signature public key is not a valid P-384 point.");
        }
    }

    private static BigInteger Mod(BigInteger value) => (value % P + P) % P;

    private static byte[] Fixed(BigInteger value)
    {
        var bytes = new byte[CoordinateLength];
        var raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        raw.CopyTo(bytes, CoordinateLength - raw.Length);
        return bytes;
    }

    private static BigInteger Parse(string hex) => new(Convert.FromHexString(hex), isUnsigned: true, isBigEndian: true);
}
