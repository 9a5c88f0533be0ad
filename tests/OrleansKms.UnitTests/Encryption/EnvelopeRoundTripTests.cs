using System.Security.Cryptography;
using OrleansKms.Encryption;

namespace OrleansKms.UnitTests.Encryption;

/// <summary>Messages decrypt to what was encrypted, at every size around the frame boundaries, in both suites.</summary>
public sealed class EnvelopeRoundTripTests
{
    private const int Frame = 64;
    private const AlgorithmSuite Unsigned = AlgorithmSuite.AesGcm256HkdfSha512CommitKey;
    private const AlgorithmSuite Signed = AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384;

    private readonly FakeKms _kms = new();

    private EnvelopeEncryptionClient Client(AlgorithmSuite suite, int frame = Frame, params string[] keys) =>
        new(_kms.Keyring(keys.Length == 0 ? [_kms.CreateKey()] : keys), new EnvelopeEncryptionOptions { Algorithm = suite, FrameLength = frame });

    public static TheoryData<AlgorithmSuite, int> Sizes()
    {
        var data = new TheoryData<AlgorithmSuite, int>();
        foreach (var suite in new[] { Unsigned, Signed })
            foreach (var size in new[] { 0, 1, Frame - 1, Frame, Frame + 1, 3 * Frame, 5 * Frame + 7 })
                data.Add(suite, size);
        return data;
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task A_message_decrypts_to_its_plaintext_and_context(AlgorithmSuite suite, int size)
    {
        var client = Client(suite);
        var plaintext = RandomNumberGenerator.GetBytes(size);
        var context = new Dictionary<string, string> { ["purpose"] = "test", ["tenant"] = "ü" };

        var message = await client.EncryptAsync(plaintext, context, TestContext.Current.CancellationToken);
        var decrypted = await client.DecryptAsync(message, context, TestContext.Current.CancellationToken);

        Assert.Equal(plaintext, decrypted.Plaintext);
        Assert.Equal(suite, decrypted.Header.Suite);
        Assert.Equal(Frame, decrypted.Header.FrameLength);
        Assert.Equal("test", decrypted.EncryptionContext["purpose"]);
        Assert.Equal("ü", decrypted.EncryptionContext["tenant"]);
        Assert.Equal(suite == Signed, decrypted.EncryptionContext.ContainsKey("aws-crypto-public-key"));
        Assert.Equal(new byte[] { 0x02, (byte)((int)suite >> 8), (byte)suite }, message[..3]);
    }

    [Theory]
    [InlineData(Frame, 1)]
    [InlineData(3 * Frame, 3)]
    [InlineData(3 * Frame + 1, 4)]
    [InlineData(0, 1)]
    public async Task A_plaintext_of_whole_frames_ends_with_a_full_final_frame(int size, int frames)
    {
        var client = Client(Unsigned);

        var message = await client.EncryptAsync(new byte[size], null, TestContext.Current.CancellationToken);

        // Unsigned: the message ends with the final frame: FFFFFFFF, sequence, nonce (12), length (4), content, tag (16).
        var finalLength = size == 0 ? 0 : size % Frame == 0 ? Frame : size % Frame;
        var final = message.AsSpan(message.Length - (4 + 4 + 12 + 4 + finalLength + 16));
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, final[..4].ToArray());
        Assert.Equal(frames, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(final[4..]));
        Assert.Equal(finalLength, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(final[20..]));
    }

    [Theory]
    [InlineData(4096, 1 << 20)]
    [InlineData(4096, (1 << 20) + 1)]
    [InlineData(4096, (2 << 20) - 1)]
    [InlineData(65536, 3 << 20)]
    [InlineData(1000, 1_500_000)]
    public async Task Streams_of_several_buffers_round_trip_through_pipes(int frame, int size)
    {
        var client = Client(Signed, frame);
        var plaintext = RandomNumberGenerator.GetBytes(size);
        using var ciphertext = new MemoryStream();
        using var back = new MemoryStream();

        await client.EncryptAsync(new TrickleStream(plaintext), ciphertext, null, TestContext.Current.CancellationToken);
        ciphertext.Position = 0;
        var result = await client.DecryptAsync(new TrickleStream(ciphertext.ToArray()), back, null, TestContext.Current.CancellationToken);

        Assert.Equal(size, result.PlaintextLength);
        Assert.True(plaintext.AsSpan().SequenceEqual(back.ToArray()));
    }

    [Fact]
    public async Task Two_encryptions_of_one_plaintext_differ()
    {
        var client = Client(Unsigned);
        var plaintext = new byte[100];

        var first = await client.EncryptAsync(plaintext, null, TestContext.Current.CancellationToken);
        var second = await client.EncryptAsync(plaintext, null, TestContext.Current.CancellationToken);

        Assert.Equal(first.Length, second.Length);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Files_round_trip_and_a_failed_decryption_leaves_no_output_file()
    {
        var directory = Directory.CreateTempSubdirectory("esdk-test-").FullName;
        try
        {
            var client = Client(Signed, 4096);
            var plaintext = RandomNumberGenerator.GetBytes(10_000);
            var (input, encrypted, output) = (Path.Combine(directory, "in"), Path.Combine(directory, "in.enc"), Path.Combine(directory, "out"));
            await File.WriteAllBytesAsync(input, plaintext, TestContext.Current.CancellationToken);

            await client.EncryptFileAsync(input, encrypted, null, TestContext.Current.CancellationToken);
            await client.DecryptFileAsync(encrypted, output, null, TestContext.Current.CancellationToken);
            var bytes = await File.ReadAllBytesAsync(encrypted, TestContext.Current.CancellationToken);
            bytes[^1] ^= 1;
            await File.WriteAllBytesAsync(encrypted, bytes, TestContext.Current.CancellationToken);
            File.Delete(output);
            await Assert.ThrowsAsync<MessageTamperedException>(() => client.DecryptFileAsync(encrypted, output, null, TestContext.Current.CancellationToken));

            Assert.False(File.Exists(output));
            Assert.Equal(["in", "in.enc"], Directory.GetFiles(directory).Select(Path.GetFileName).Order());
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }

    [Fact]
    public async Task Encryption_refuses_the_SDK_s_reserved_context_keys()
    {
        var client = Client(Unsigned);

        var error = await Assert.ThrowsAsync<EnvelopeException>(() =>
            client.EncryptAsync(new byte[1], new Dictionary<string, string> { ["aws-crypto-public-key"] = "x" }, TestContext.Current.CancellationToken));

        Assert.Contains("reserved", error.Message);
    }

    [Fact]
    public async Task Decryption_requires_each_given_context_pair_and_accepts_a_subset()
    {
        var client = Client(Signed);
        var message = await client.EncryptAsync(new byte[10], new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, TestContext.Current.CancellationToken);

        var subset = await client.DecryptAsync(message, new Dictionary<string, string> { ["b"] = "2" }, TestContext.Current.CancellationToken);
        var missing = await Assert.ThrowsAsync<EnvelopeException>(() =>
            client.DecryptAsync(message, new Dictionary<string, string> { ["c"] = "3" }, TestContext.Current.CancellationToken));
        var different = await Assert.ThrowsAsync<EnvelopeException>(() =>
            client.DecryptAsync(message, new Dictionary<string, string> { ["a"] = "2" }, TestContext.Current.CancellationToken));

        Assert.Equal(10, subset.Plaintext.Length);
        Assert.Equal("Encryption context mismatch: the message has no pair 'c'.", missing.Message);
        Assert.Equal("Encryption context mismatch: the message's 'a' is not the value required.", different.Message);
        Assert.Equal(1, _kms.DecryptCalls);
    }

    [Fact]
    public async Task Streaming_unsigned_only_refuses_signed_messages_after_the_header_and_reads_unsigned_ones()
    {
        var key = _kms.CreateKey();
        var signed = await Client(Signed, Frame, key).EncryptAsync(new byte[10], null, TestContext.Current.CancellationToken);
        var unsigned = await Client(Unsigned, Frame, key).EncryptAsync(new byte[10], null, TestContext.Current.CancellationToken);
        var strict = new EnvelopeEncryptionClient(_kms.Keyring(key), new EnvelopeEncryptionOptions { SignedStreaming = SignedStreaming.UnsignedOnly });

        var refused = await Assert.ThrowsAsync<EnvelopeException>(() =>
            strict.DecryptAsync(new MemoryStream(signed), new MemoryStream(), null, TestContext.Current.CancellationToken));
        var read = await strict.DecryptAsync(new MemoryStream(unsigned), new MemoryStream(), null, TestContext.Current.CancellationToken);
        var buffered = await strict.DecryptAsync(signed, null, TestContext.Current.CancellationToken);

        Assert.Contains("streaming decryption of signed messages is turned off", refused.Message);
        Assert.Equal(10, read.PlaintextLength);
        Assert.Equal(10, buffered.Plaintext.Length);
        Assert.Equal(2, _kms.DecryptCalls);
    }

    /// <summary>A non-seekable stream that returns at most 7000 bytes per read, like a pipe.</summary>
    internal sealed class TrickleStream(byte[] data) : Stream
    {
        private int _at;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 7000), data.Length - _at);
            data.AsSpan(_at, n).CopyTo(buffer.AsSpan(offset));
            _at += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
