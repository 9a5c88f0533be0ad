using OrleansKms.Crypto;

namespace OrleansKms.UnitTests.Crypto;

public sealed class CiphertextBlobTests
{
    private const string KeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
    private static readonly Dictionary<string, string> Context = new() { ["purpose"] = "unit", ["tenant"] = "a" };

    private static (SymmetricKeyMaterialSet Set, SymmetricKeyVersion Version) NewKey()
    {
        var v = SymmetricKeyVersion.Generate();
        return (new SymmetricKeyMaterialSet([v], v), v);
    }

    private static bool TryDecrypt(SymmetricKeyMaterialSet set, byte[] blob, IReadOnlyDictionary<string, string>? context, out byte[] plaintext)
    {
        plaintext = [];
        if (!CiphertextBlob.TryParse(blob, out var parsed)) return false;
        if (parsed.KeyId != KeyId) return false;
        var version = set.Find(parsed.MaterialId);
        return version is not null && parsed.TryDecrypt(version.Material, context, out plaintext);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(4096)]
    public void Round_trip_returns_the_plaintext(int length)
    {
        var (set, _) = NewKey();
        var plaintext = System.Security.Cryptography.RandomNumberGenerator.GetBytes(length);
        var blob = set.Encrypt(KeyId, plaintext, Context);
        Assert.Equal(CiphertextBlob.Overhead + length, blob.Length);
        Assert.True(TryDecrypt(set, blob, Context, out var back));
        Assert.Equal(plaintext, back);
    }

    [Fact]
    public void Every_blob_has_its_own_nonce_across_threads_and_refills_of_the_nonce_buffer()
    {
        var (set, _) = NewKey();
        var blobs = new System.Collections.Concurrent.ConcurrentBag<byte[]>();
        Parallel.For(0, 4, _ => { for (var i = 0; i < 1000; i++) blobs.Add(set.Encrypt(KeyId, [1], null)); }); // 12 KB of nonces each
        var nonces = blobs.Select(b => Convert.ToHexString(b.AsSpan(CiphertextBlob.NonceOffset, CiphertextBlob.NonceSize))).ToList();
        Assert.Equal(4000, nonces.Distinct().Count());
        Assert.All(blobs, b => Assert.True(TryDecrypt(set, b, null, out var back) && back is [1]));
    }

    [Fact]
    public void A_disposed_key_decrypts_nothing_more_with_its_pooled_cipher_contexts()
    {
        var v = SymmetricKeyVersion.Generate();
        var set = new SymmetricKeyMaterialSet([v], v);
        var blob = set.Encrypt(KeyId, [1, 2, 3], null); // leaves a cipher context pooled on the key
        Assert.True(TryDecrypt(set, blob, null, out _));
        v.Material.Dispose();
        Assert.Throws<ObjectDisposedException>(() => TryDecrypt(set, blob, null, out _));
    }

    [Fact]
    public void The_blob_names_its_key_and_material()
    {
        var (set, version) = NewKey();
        var blob = set.Encrypt(KeyId, [1, 2, 3], null);
        Assert.True(CiphertextBlob.TryParse(blob, out var parsed));
        Assert.Equal(KeyId, parsed.KeyId);
        Assert.Equal(version.MaterialId, parsed.MaterialId.ToArray());
        Assert.Equal(CiphertextBlob.Version1, blob[0]);
    }

    [Fact]
    public void Multi_region_key_ids_survive_the_blob()
    {
        var (set, _) = NewKey();
        const string mrk = "mrk-1234abcd12ab34cd56ef1234567890ab";
        var blob = set.Encrypt(mrk, [9], null);
        Assert.True(CiphertextBlob.TryParse(blob, out var parsed));
        Assert.Equal(mrk, parsed.KeyId);
    }

    [Fact]
    public void Context_order_does_not_matter_but_every_key_and_value_does()
    {
        var (set, _) = NewKey();
        var blob = set.Encrypt(KeyId, [1, 2, 3], Context);
        Assert.True(TryDecrypt(set, blob, new Dictionary<string, string> { ["tenant"] = "a", ["purpose"] = "unit" }, out _));
        Assert.False(TryDecrypt(set, blob, new Dictionary<string, string> { ["purpose"] = "unit", ["tenant"] = "b" }, out _));
        Assert.False(TryDecrypt(set, blob, new Dictionary<string, string> { ["purpose"] = "unit" }, out _));
        Assert.False(TryDecrypt(set, blob, null, out _));
        Assert.False(TryDecrypt(set, blob, new Dictionary<string, string> { ["purpose"] = "unit", ["tenant"] = "a", ["x"] = "" }, out _));
    }

    [Fact]
    public void Context_is_not_ambiguous_across_key_and_value_boundaries()
    {
        var (set, _) = NewKey();
        var blob = set.Encrypt(KeyId, [1], new Dictionary<string, string> { ["ab"] = "c" });
        Assert.False(TryDecrypt(set, blob, new Dictionary<string, string> { ["a"] = "bc" }, out _));
    }

    [Fact]
    public void Empty_and_absent_context_are_the_same()
    {
        var (set, _) = NewKey();
        var blob = set.Encrypt(KeyId, [1], new Dictionary<string, string>());
        Assert.True(TryDecrypt(set, blob, null, out _));
    }

    [Fact]
    public void Every_flipped_byte_fails_decryption()
    {
        var (set, _) = NewKey();
        var blob = set.Encrypt(KeyId, [1, 2, 3, 4, 5], Context);
        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = (byte[])blob.Clone();
            tampered[i] ^= 0x01;
            Assert.False(TryDecrypt(set, tampered, Context, out _), $"byte {i} flipped still decrypted");
        }
    }

    [Fact]
    public void Every_truncation_and_an_extension_fail_decryption()
    {
        var (set, _) = NewKey();
        var blob = set.Encrypt(KeyId, [1, 2, 3, 4, 5], Context);
        for (var length = 0; length < blob.Length; length++)
            Assert.False(TryDecrypt(set, blob[..length], Context, out _), $"truncated to {length} still decrypted");
        Assert.False(TryDecrypt(set, [.. blob, 0], Context, out _));
    }

    [Fact]
    public void Two_encryptions_of_the_same_plaintext_differ()
    {
        var (set, _) = NewKey();
        var a = set.Encrypt(KeyId, [1, 2, 3], null);
        var b = set.Encrypt(KeyId, [1, 2, 3], null);
        Assert.NotEqual(a, b);
        Assert.NotEqual(a.AsSpan(CiphertextBlob.NonceOffset, CiphertextBlob.NonceSize).ToArray(), b.AsSpan(CiphertextBlob.NonceOffset, CiphertextBlob.NonceSize).ToArray());
    }

    [Fact]
    public void Another_key_with_the_same_material_id_cannot_decrypt()
    {
        var (set, version) = NewKey();
        var blob = set.Encrypt(KeyId, [1, 2, 3], null);
        var impostor = new SymmetricKeyVersion(version.MaterialId, SecretBytes.Random(32));
        Assert.False(TryDecrypt(new SymmetricKeyMaterialSet([impostor], impostor), blob, null, out _));
    }

    [Fact]
    public void Older_material_versions_still_decrypt_after_a_new_current_version()
    {
        var (set, old) = NewKey();
        var blob = set.Encrypt(KeyId, [7, 7], null);
        var newer = SymmetricKeyVersion.Generate();
        var rotated = new SymmetricKeyMaterialSet([old, newer], newer);
        Assert.True(TryDecrypt(rotated, blob, null, out var back));
        Assert.Equal([7, 7], back);
        Assert.True(CiphertextBlob.TryParse(rotated.Encrypt(KeyId, [1], null), out var fresh));
        Assert.Equal(newer.MaterialId, fresh.MaterialId.ToArray());
    }
}
