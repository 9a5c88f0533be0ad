using System.Security.Cryptography;
using OrleansKms.Crypto;

namespace OrleansKms.UnitTests.Crypto;

public sealed class RootKeyWrapperTests
{
    private const string Arn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private const string MaterialId = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    [Fact]
    public void Wrapped_material_unwraps_to_the_same_bytes_and_does_not_contain_them()
    {
        using var wrapper = new RootKeyWrapper(SecretBytes.Random(32));
        using var material = SecretBytes.Random(32);
        var wrapped = wrapper.Wrap(material, Arn, MaterialId);
        Assert.Equal(-1, wrapped.AsSpan().IndexOf(material.Expose()));
        using var back = wrapper.Unwrap(wrapped, Arn, MaterialId);
        Assert.True(back.Equals(material));
    }

    [Fact]
    public void Material_moved_to_another_key_or_version_or_root_key_does_not_unwrap()
    {
        using var wrapper = new RootKeyWrapper(SecretBytes.Random(32));
        using var other = new RootKeyWrapper(SecretBytes.Random(32));
        using var material = SecretBytes.Random(32);
        var wrapped = wrapper.Wrap(material, Arn, MaterialId);
        Assert.ThrowsAny<CryptographicException>(() => wrapper.Unwrap(wrapped, Arn.Replace("1234abcd", "9999abcd"), MaterialId));
        Assert.ThrowsAny<CryptographicException>(() => wrapper.Unwrap(wrapped, Arn, MaterialId.Replace("00", "11")));
        Assert.ThrowsAny<CryptographicException>(() => other.Unwrap(wrapped, Arn, MaterialId));
        wrapped[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => wrapper.Unwrap(wrapped, Arn, MaterialId));
    }

    [Fact]
    public void Root_keys_must_be_256_bits()
    {
        Assert.Throws<ArgumentException>(() => new RootKeyWrapper(SecretBytes.Random(16)));
    }

    [Fact]
    public void Secret_bytes_do_not_print_their_content()
    {
        using var secret = SecretBytes.TakeOwnership([0x41, 0x42, 0x43]);
        Assert.Equal("SecretBytes[3]", secret.ToString());
    }
}
