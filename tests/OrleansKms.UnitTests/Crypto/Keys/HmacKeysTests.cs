using System.Security.Cryptography;
using System.Text;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;

namespace OrleansKms.UnitTests.Crypto.Keys;

public sealed class HmacKeysTests
{
    public static TheoryData<string, string, int> Specs() => new()
    {
        { "HMAC_224", "HMAC_SHA_224", 28 },
        { "HMAC_256", "HMAC_SHA_256", 32 },
        { "HMAC_384", "HMAC_SHA_384", 48 },
        { "HMAC_512", "HMAC_SHA_512", 64 },
    };

    [Theory]
    [MemberData(nameof(Specs))]
    public void Generated_keys_have_the_AWS_size_and_MACs_match_an_independent_computation(string spec, string algorithm, int size)
    {
        using var key = HmacKeys.Generate(spec);
        using var other = HmacKeys.Generate(spec);
        Assert.Equal(size, key.Length);
        Assert.False(key.Equals(other));

        var message = Bytes.Message(333);
        var mac = HmacKeys.Mac(key, spec, algorithm, message);
        Assert.Equal(size, mac.Length); // HMAC-SHA-n is n bits, as is the key
        Assert.Equal(Independent(spec, key.Expose(), message), mac);
        Assert.Equal(OpenSslHmac(spec, key.Expose(), message), mac);
    }

    [Theory]
    [MemberData(nameof(Specs))]
    public void Verify_accepts_the_mac_and_refuses_any_change(string spec, string algorithm, int size)
    {
        using var key = HmacKeys.Generate(spec);
        var message = Bytes.Message();
        var mac = HmacKeys.Mac(key, spec, algorithm, message);
        Assert.True(HmacKeys.Verify(key, spec, algorithm, message, mac));
        Assert.False(HmacKeys.Verify(key, spec, algorithm, Bytes.Flip(message, 0), mac));
        Assert.False(HmacKeys.Verify(key, spec, algorithm, message, Bytes.Flip(mac, size - 1)));
        Assert.False(HmacKeys.Verify(key, spec, algorithm, message, mac[..^1]));
        Assert.False(HmacKeys.Verify(key, spec, algorithm, message, [.. mac, 0]));
        Assert.False(HmacKeys.Verify(key, spec, algorithm, message, []));
        using var other = HmacKeys.Generate(spec);
        Assert.False(HmacKeys.Verify(other, spec, algorithm, message, mac));
    }

    [Fact]
    public void Rfc4231_test_case_2_gives_the_published_macs()
    {
        using var key = SecretBytes.TakeOwnership(Encoding.ASCII.GetBytes("Jefe"));
        var data = Encoding.ASCII.GetBytes("what do ya want for nothing?");
        Assert.Equal("a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
            Convert.ToHexStringLower(HmacKeys.Mac(key, "HMAC_224", "HMAC_SHA_224", data)));
        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            Convert.ToHexStringLower(HmacKeys.Mac(key, "HMAC_256", "HMAC_SHA_256", data)));
    }

    [Fact]
    public void Imported_keys_longer_than_the_generated_size_work()
    {
        using var key = SecretBytes.Random(64);
        var message = Bytes.Message();
        Assert.Equal(OpenSslHmac("HMAC_224", key.Expose(), message), HmacKeys.Mac(key, "HMAC_224", "HMAC_SHA_224", message));
        Assert.Equal(HMACSHA256.HashData(key.Expose(), message), HmacKeys.Mac(key, "HMAC_256", "HMAC_SHA_256", message));
    }

    [Fact]
    public void An_algorithm_of_another_spec_fails_with_the_AWS_message()
    {
        using var key = HmacKeys.Generate("HMAC_256");
        var e = Assert.Throws<KmsCryptoException>(() => HmacKeys.Mac(key, "HMAC_256", "HMAC_SHA_512", [1]));
        Assert.Equal((KmsCryptoError.UnsupportedAlgorithm, "Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256."), (e.Error, e.Message));
        e = Assert.Throws<KmsCryptoException>(() => HmacKeys.Verify(key, "HMAC_224", "HMAC_SHA_256", [1], new byte[28]));
        Assert.Equal("Algorithm HMAC_SHA_256 is incompatible with key spec HMAC_224.", e.Message);
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => HmacKeys.Mac(key, "RSA_2048", "HMAC_SHA_256", [1])).Error);
        Assert.Equal(KmsCryptoError.UnsupportedAlgorithm, Assert.Throws<KmsCryptoException>(() => HmacKeys.Mac(key, "HMAC_256", "INVALID", [1])).Error);
        Assert.Throws<ArgumentException>(() => HmacKeys.Generate("SYMMETRIC_DEFAULT"));
    }

    private static byte[] Independent(string spec, ReadOnlySpan<byte> key, byte[] message)
    {
        using HMAC? hmac = spec switch
        {
            "HMAC_256" => new HMACSHA256(key.ToArray()),
            "HMAC_384" => new HMACSHA384(key.ToArray()),
            "HMAC_512" => new HMACSHA512(key.ToArray()),
            _ => null, // HMAC-SHA224 is not in .NET: openssl is the independent party for it
        };
        return hmac?.ComputeHash(message) ?? OpenSslHmac(spec, key, message);
    }

    private static byte[] OpenSslHmac(string spec, ReadOnlySpan<byte> key, byte[] message)
    {
        using var openssl = new OpenSsl();
        return openssl.MustRunToFile("dgst", $"-sha{spec[5..]}", "-mac", "HMAC", "-macopt", $"hexkey:{Convert.ToHexString(key)}",
            "-binary", openssl.File(message));
    }
}
