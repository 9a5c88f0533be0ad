using System.Security.Cryptography;
using System.Text;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.BadInput;

/// <summary>
/// Decrypt of a real ciphertext changed in any way fails with InvalidCiphertextException (never a 500, never the
/// plaintext): every flipped byte, every truncation, an extension, another key's header.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class CiphertextTamperTests(KmsServerFixture fixture)
{
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("short");

    private Uri Endpoint => fixture.Server.Endpoint;

    private async Task<byte[]> NewCiphertextAsync()
    {
        var keyId = await Raw.NewKeyAsync(Endpoint);
        var ciphertext = await Raw.EncryptAsync(Endpoint, keyId, Plaintext);
        var untouched = (await Raw.DecryptAsync(Endpoint, ciphertext)).AssertOk();
        Assert.Equal(Plaintext, untouched.GetProperty("Plaintext").GetBytesFromBase64());
        return ciphertext;
    }

    /// <summary>Every single-byte change of <paramref name="ciphertext"/>: each position with one bit and with all bits flipped.</summary>
    internal static IEnumerable<(string What, byte[] Blob)> Flipped(byte[] ciphertext)
    {
        foreach (var mask in new byte[] { 0x01, 0xFF })
        {
            for (var i = 0; i < ciphertext.Length; i++)
            {
                var blob = (byte[])ciphertext.Clone();
                blob[i] ^= mask;
                yield return ($"byte {i} ^ 0x{mask:X2}", blob);
            }
        }
    }

    /// <summary>Every truncation of <paramref name="ciphertext"/> that leaves at least one byte.</summary>
    internal static IEnumerable<(string What, byte[] Blob)> Truncated(byte[] ciphertext)
    {
        for (var cut = 1; cut < ciphertext.Length; cut++) yield return ($"{cut} bytes cut", ciphertext[..^cut]);
    }

    private async Task AssertAllInvalidCiphertextAsync(IEnumerable<(string What, byte[] Blob)> cases)
    {
        var failures = new List<string>();
        var count = 0;
        foreach (var (what, blob) in cases)
        {
            count++;
            var reply = await Raw.DecryptAsync(Endpoint, blob);
            if (reply.Status != System.Net.HttpStatusCode.BadRequest || reply.Type != "InvalidCiphertextException")
                failures.Add($"{what}: {(int)reply.Status} {reply.Body}");
        }

        Assert.True(count > 0);
        Assert.True(failures.Count == 0, $"{failures.Count} of {count} tampered ciphertexts were not InvalidCiphertextException:\n" + string.Join('\n', failures));
    }

    [Fact]
    public async Task Each_byte_flipped_in_turn_is_InvalidCiphertextException()
    {
        var ciphertext = await NewCiphertextAsync();

        await AssertAllInvalidCiphertextAsync(Flipped(ciphertext));
    }

    [Fact]
    public async Task Each_truncation_by_1_to_N_minus_1_bytes_is_InvalidCiphertextException()
    {
        var ciphertext = await NewCiphertextAsync();

        await AssertAllInvalidCiphertextAsync(Truncated(ciphertext));
    }

    [Fact]
    public async Task A_ciphertext_extended_by_a_byte_is_InvalidCiphertextException()
    {
        var ciphertext = await NewCiphertextAsync();

        await AssertAllInvalidCiphertextAsync([("0x00 appended", [.. ciphertext, 0x00]), ("0x5A appended", [.. ciphertext, 0x5A])]);
    }

    [Fact]
    public async Task A_ciphertext_relabelled_with_another_existing_keys_id_is_InvalidCiphertextException()
    {
        var ciphertext = await NewCiphertextAsync();
        var other = await Raw.EncryptAsync(Endpoint, await Raw.NewKeyAsync(Endpoint), Plaintext);
        var relabelled = (byte[])ciphertext.Clone();
        other.AsSpan(1, 17).CopyTo(relabelled.AsSpan(1, 17));

        await AssertAllInvalidCiphertextAsync([("key id of another key", relabelled)]);
    }

    [Fact]
    public async Task A_ciphertext_with_another_ciphertexts_tag_is_InvalidCiphertextException()
    {
        var keyId = await Raw.NewKeyAsync(Endpoint);
        var first = await Raw.EncryptAsync(Endpoint, keyId, Plaintext);
        var second = await Raw.EncryptAsync(Endpoint, keyId, Plaintext);
        var spliced = (byte[])first.Clone();
        second.AsSpan(second.Length - 16).CopyTo(spliced.AsSpan(spliced.Length - 16));

        await AssertAllInvalidCiphertextAsync(
            [("tag of another ciphertext", spliced), ("random bytes of a ciphertext's length", RandomNumberGenerator.GetBytes(first.Length))]);
    }

    [Fact]
    public async Task An_empty_ciphertext_is_the_AWS_ValidationException()
    {
        (await Raw.DecryptAsync(Endpoint, []))
            .AssertError("ValidationException", "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }

    [Fact]
    public async Task A_ciphertext_over_6144_bytes_is_the_AWS_ValidationException()
    {
        (await Raw.DecryptAsync(Endpoint, new byte[6145]))
            .AssertError("ValidationException", "1 validation error detected: Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length less than or equal to 6144");
    }

    [Fact]
    public async Task A_tampered_ciphertext_leaves_the_original_decryptable()
    {
        var ciphertext = await NewCiphertextAsync();
        await AssertAllInvalidCiphertextAsync(Flipped(ciphertext).Take(20));

        var reply = (await Raw.DecryptAsync(Endpoint, ciphertext)).AssertOk();

        Assert.Equal(Plaintext, reply.GetProperty("Plaintext").GetBytesFromBase64());
    }
}
