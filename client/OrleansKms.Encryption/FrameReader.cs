using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OrleansKms.Encryption;

/// <summary>
/// Decrypts the body of one message, frame by frame, from the reader's buffer into <c>plain</c>; writes
/// <c>plain</c> to the output when the next frame would not fit. The final frame stays in <c>plain</c> until
/// <see cref="FlushAsync"/>, which the decryptor calls only after the signature and the end of input were checked.
/// </summary>
internal sealed class FrameReader(MessageReader reader, MessageKeys keys, MessageHeader header, int bufferSize, Stream output) : IDisposable
{
    private const int FinalMark = -1;
    private byte[] _plain = ArrayPool<byte>.Shared.Rent(bufferSize);
    private byte[]? _finalNonce;
    private int _held;

    public async Task<long> ReadFramedAsync(CancellationToken cancel)
    {
        long total = 0;
        for (uint expected = 1; ; expected++)
        {
            await reader.EnsureAsync(4, "a frame", cancel);
            var first = ReadInt32();
            var final = first == FinalMark;
            if (final)
            {
                await reader.EnsureAsync(8 + Suites.IvLength, "the final frame", cancel);
                CheckSequence((uint)ReadInt32(), expected);
            }
            else
            {
                CheckSequence((uint)first, expected);
                if (expected == uint.MaxValue) throw new MessageTamperedException("The message has no final frame.");
            }

            var length = final ? PeekFinalLength() : header.FrameLength;
            if (_plain.Length - _held < length) await FlushAsync(cancel);
            await reader.EnsureAsync((final ? 0 : Suites.IvLength) + length + Suites.TagLength, final ? "the final frame" : "a frame", cancel);
            Open(final, expected, length);
            total += length;
            if (final) return total;
        }
    }

    public async Task<long> ReadNonFramedAsync(int maxLength, CancellationToken cancel)
    {
        await reader.EnsureAsync(Suites.IvLength + 8, "the body", cancel);
        var nonce = reader.Take(Suites.IvLength).ToArray();
        var length = BinaryPrimitives.ReadUInt64BigEndian(reader.Take(8));
        if (length > (ulong)maxLength) throw new EnvelopeException($"The non-framed body of {length} bytes is over the limit of {maxLength} bytes.");
        await reader.EnsureAsync((int)length + Suites.TagLength, "the body", cancel);
        if (_plain.Length < (int)length)
        {
            ArrayPool<byte>.Shared.Return(_plain);
            _plain = ArrayPool<byte>.Shared.Rent((int)length);
        }

        var ciphertext = reader.Take((int)length);
        var tag = reader.Take(Suites.TagLength);
        var expectedNonce = new byte[Suites.IvLength];
        MessageKeys.Nonce(1, expectedNonce);
        if (!nonce.AsSpan().SequenceEqual(expectedNonce) ||
            !keys.TryDecrypt(MessageKeys.Block.Single, 1, nonce, ciphertext, tag, _plain.AsSpan(0, (int)length)))
            throw new MessageTamperedException("The body's authentication tag does not verify: the message was changed.");
        _held = (int)length;
        return (long)length;
    }

    public async Task FlushAsync(CancellationToken cancel)
    {
        if (_held == 0) return;
        await output.WriteAsync(_plain.AsMemory(0, _held), cancel);
        _held = 0;
    }

    private int ReadInt32() => BinaryPrimitives.ReadInt32BigEndian(reader.Take(4));

    // The final frame's content length follows its nonce; read it in place, then take nonce and length together in Open.
    private int PeekFinalLength()
    {
        var nonceAndLength = reader.Take(Suites.IvLength + 4);
        _finalNonce ??= new byte[Suites.IvLength];
        nonceAndLength[..Suites.IvLength].CopyTo(_finalNonce);
        var length = BinaryPrimitives.ReadUInt32BigEndian(nonceAndLength[Suites.IvLength..]);
        if (length > (uint)header.FrameLength) throw new MessageTamperedException("The final frame is longer than the frame length.");
        return (int)length;
    }

    private void Open(bool final, uint sequence, int length)
    {
        Span<byte> expectedNonce = stackalloc byte[Suites.IvLength];
        MessageKeys.Nonce(sequence, expectedNonce);
        var nonce = final ? _finalNonce! : reader.Take(Suites.IvLength);
        var ciphertext = reader.Take(length);
        var tag = reader.Take(Suites.TagLength);
        if (!nonce.SequenceEqual(expectedNonce) ||
            !keys.TryDecrypt(final ? MessageKeys.Block.Final : MessageKeys.Block.Regular, sequence, nonce, ciphertext, tag, _plain.AsSpan(_held, length)))
            throw new MessageTamperedException($"Frame {sequence} does not verify: the message was changed.");
        _held += length;
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_plain);
        ArrayPool<byte>.Shared.Return(_plain);
        _plain = [];
    }

    private static void CheckSequence(uint sequence, uint expected)
    {
        if (sequence != expected) throw new MessageTamperedException($"Frame {expected} is missing or out of order (found sequence number {sequence}).");
    }
}
