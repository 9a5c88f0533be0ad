using System.Buffers.Binary;
using System.Security.Cryptography;
using OrleansKms.Encryption;

namespace OrleansKms.UnitTests.Encryption;

/// <summary>
/// Every change to a message is caught, with the error that names it: each flipped byte, each truncation, a changed
/// frame, header, commitment or signature, reordered or dropped frames, extra bytes, and a key that cannot decrypt.
/// </summary>
public sealed class EnvelopeTamperTests
{
    private const int Frame = 32;
    private const AlgorithmSuite Unsigned = AlgorithmSuite.AesGcm256HkdfSha512CommitKey;
    private const AlgorithmSuite Signed = AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384;

    private readonly FakeKms _kms = new();
    private readonly string _key;

    public EnvelopeTamperTests() => _key = _kms.CreateKey();

    private EnvelopeEncryptionClient Client(AlgorithmSuite suite = Signed) =>
        new(_kms.Keyring(_key), new EnvelopeEncryptionOptions { Algorithm = suite, FrameLength = Frame });

    private async Task<byte[]> MessageAsync(AlgorithmSuite suite, int size = 3 * Frame + 5) =>
        await Client(suite).EncryptAsync(RandomNumberGenerator.GetBytes(size), new Dictionary<string, string> { ["k"] = "v" },
            TestContext.Current.CancellationToken);

    private Task<DecryptedMessage> DecryptAsync(byte[] message) => Client().DecryptAsync(message, null, TestContext.Current.CancellationToken);

    [Theory]
    [InlineData(Unsigned)]
    [InlineData(Signed)]
    public async Task Every_flipped_bit_of_every_byte_fails_decryption(AlgorithmSuite suite)
    {
        var message = await MessageAsync(suite, Frame + 3);

        for (var i = 0; i < message.Length; i++)
        {
            var changed = (byte[])message.Clone();
            changed[i] ^= (byte)(1 << (i % 8));
            var error = await Record.ExceptionAsync(() => DecryptAsync(changed));
            Assert.True(error is EnvelopeException, $"byte {i} of {message.Length}: {error?.GetType().Name ?? "no error"}");
        }
    }

    [Theory]
    [InlineData(Unsigned)]
    [InlineData(Signed)]
    public async Task Every_truncation_is_a_truncated_message_and_an_extra_byte_is_refused(AlgorithmSuite suite)
    {
        var message = await MessageAsync(suite);

        for (var length = 0; length < message.Length; length++)
        {
            var error = await Record.ExceptionAsync(() => DecryptAsync(message[..length]));
            Assert.True(error is MessageTruncatedException, $"cut to {length} of {message.Length}: {error?.GetType().Name ?? "no error"}");
        }

        var longer = await Assert.ThrowsAsync<MessageTamperedException>(() => DecryptAsync([.. message, 0]));
        Assert.Equal("There are bytes after the end of the message.", longer.Message);
    }

    [Fact]
    public async Task A_changed_frame_names_the_frame()
    {
        var message = await MessageAsync(Unsigned);
        var body = BodyStart(message, Unsigned);
        message[body + Frame + 32 + 20] ^= 1; // inside frame 2's ciphertext

        var error = await Assert.ThrowsAsync<MessageTamperedException>(() => DecryptAsync(message));

        Assert.Equal("Frame 2 does not verify: the message was changed.", error.Message);
    }

    [Fact]
    public async Task Swapped_or_dropped_frames_are_out_of_order()
    {
        var message = await MessageAsync(Unsigned);
        var body = BodyStart(message, Unsigned);
        var size = Frame + 32;
        var swapped = (byte[])message.Clone();
        message.AsSpan(body, size).CopyTo(swapped.AsSpan(body + size));
        message.AsSpan(body + size, size).CopyTo(swapped.AsSpan(body));
        byte[] dropped = [.. message[..body], .. message[(body + size)..]];

        var swapError = await Assert.ThrowsAsync<MessageTamperedException>(() => DecryptAsync(swapped));
        var dropError = await Assert.ThrowsAsync<MessageTamperedException>(() => DecryptAsync(dropped));

        Assert.Equal("Frame 1 is missing or out of order (found sequence number 2).", swapError.Message);
        Assert.Equal("Frame 1 is missing or out of order (found sequence number 2).", dropError.Message);
    }

    [Fact]
    public async Task A_changed_commitment_fails_the_key_commitment()
    {
        var message = await MessageAsync(Unsigned);
        message[BodyStart(message, Unsigned) - 16 - 1] ^= 1; // last byte of the commitment key

        var error = await Assert.ThrowsAsync<MessageTamperedException>(() => DecryptAsync(message));

        Assert.StartsWith("The key commitment does not match", error.Message);
    }

    [Fact]
    public async Task A_header_field_outside_the_data_key_and_the_commitment_fails_the_header_tag()
    {
        var message = await MessageAsync(Unsigned);
        var frameLengthAt = BodyStart(message, Unsigned) - 16 - 32 - 4;
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(frameLengthAt), Frame + 1);

        var error = await Assert.ThrowsAsync<MessageTamperedException>(() => DecryptAsync(message));

        Assert.Equal("The header authentication tag does not verify: the header was changed.", error.Message);
    }

    [Fact]
    public async Task A_changed_signature_fails_verification_and_releases_no_plaintext()
    {
        var message = await MessageAsync(Signed);
        message[^1] ^= 1;
        using var output = new MemoryStream();

        var error = await Assert.ThrowsAsync<MessageTamperedException>(() =>
            Client().DecryptAsync(new MemoryStream(message), output, null, TestContext.Current.CancellationToken));

        Assert.Equal("The message signature does not verify: the message was changed.", error.Message);
        Assert.Equal(0, output.Length);
    }

    [Fact]
    public async Task Streaming_a_long_signed_message_with_a_bad_signature_releases_only_verified_frames_never_the_final_one()
    {
        const int frame = 65536;
        var plaintext = RandomNumberGenerator.GetBytes(40 * frame + 100);
        var client = new EnvelopeEncryptionClient(_kms.Keyring(_key), new EnvelopeEncryptionOptions { FrameLength = frame });
        var message = await client.EncryptAsync(plaintext, null, TestContext.Current.CancellationToken);
        message[^1] ^= 1;
        using var output = new MemoryStream();

        await Assert.ThrowsAsync<MessageTamperedException>(() =>
            client.DecryptAsync(new MemoryStream(message), output, null, TestContext.Current.CancellationToken));

        // Whole regular frames were written as their tags verified; the final frame (the last 100 bytes) never was.
        Assert.InRange(output.Length, frame, 40 * frame);
        Assert.Equal(0, output.Length % frame);
        Assert.True(plaintext.AsSpan(0, (int)output.Length).SequenceEqual(output.ToArray()));
    }

    [Fact]
    public async Task A_signed_message_with_the_signature_removed_is_truncated()
    {
        var message = await MessageAsync(Signed);
        var error = await Assert.ThrowsAsync<MessageTruncatedException>(() => DecryptAsync(message[..^(2 + FooterLength(message))]));

        Assert.Equal("The message ends inside the signature: it was cut short.", error.Message);
    }

    [Fact]
    public async Task A_key_that_did_not_wrap_the_data_key_cannot_decrypt()
    {
        var message = await MessageAsync(Signed);
        var other = new EnvelopeEncryptionClient(_kms.Keyring(_kms.CreateKey()));
        var discovery = new EnvelopeEncryptionClient(new KmsKeyring(new KmsKeyringOptions { Client = _kms.Client(), ClientForRegion = _kms.Client }));

        var error = await Assert.ThrowsAsync<NoDecryptableDataKeyException>(() => other.DecryptAsync(message, null, TestContext.Current.CancellationToken));
        var found = await discovery.DecryptAsync(message, null, TestContext.Current.CancellationToken);

        Assert.Equal("No KMS key could decrypt the message's data key (none of the message's encrypted data keys was made with a KMS key of the keyring).", error.Message);
        Assert.Equal(3 * Frame + 5, found.Plaintext.Length);
    }

    [Fact]
    public async Task Input_that_is_not_a_message_says_so()
    {
        var version1 = await Assert.ThrowsAsync<EnvelopeException>(() => DecryptAsync([0x01, 0x80, 0x01, 0x78, 0, 0, 0]));
        var text = await Assert.ThrowsAsync<EnvelopeException>(() => DecryptAsync("hello world"u8.ToArray()));
        var suite = await Assert.ThrowsAsync<EnvelopeException>(() => DecryptAsync([0x02, 0x01, 0x78, 0, 0, 0]));

        Assert.StartsWith("The message is in format version 1", version1.Message);
        Assert.Equal("The input is not an AWS Encryption SDK message (unknown format version).", text.Message);
        Assert.Equal("The message's algorithm suite 0x0178 is not supported.", suite.Message);
    }

    // The first byte of the body of an unsigned message of 3 * Frame + 5 bytes: 3 regular frames (Frame + 32 bytes each)
    // and a final frame of 5 bytes (40 + 5) end it.
    private static int BodyStart(byte[] message, AlgorithmSuite suite)
    {
        Assert.Equal(Unsigned, suite);
        return message.Length - (3 * (Frame + 32) + 45);
    }

    // The signature length field is right after the final frame; DER ECDSA P-384 signatures are 102 to 104 bytes.
    private static int FooterLength(byte[] message)
    {
        for (var length = 100; length <= 104; length++)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(message.Length - length - 2)) == length) return length;
        }

        throw new InvalidOperationException("No footer found.");
    }
}
