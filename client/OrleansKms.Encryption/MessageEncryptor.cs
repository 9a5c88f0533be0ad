using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OrleansKms.Encryption;

/// <summary>
/// Writes one framed message: header, frames, and (signed suite) the footer. Reads the plaintext a chunk of frames at a
/// time into one pooled buffer and writes each chunk's frames with one call from another, so memory is constant and
/// there is no allocation per frame. The last frame of a full chunk is held back until more input shows it is not the
/// final frame (a plaintext that is a multiple of the frame length ends with a full final frame, as the SDKs write).
/// <code>
/// regular frame: sequence number (4) | nonce (12) | ciphertext (frame length) | tag (16)
/// final frame:   0xFFFFFFFF (4) | sequence number (4) | nonce (12) | ciphertext length (4) | ciphertext | tag (16)
/// footer:        signature length (2) | ECDSA P-384 signature, DER, of SHA-384 over header and body
/// </code>
/// </summary>
internal static class MessageEncryptor
{
    private const int ChunkTarget = 1 << 20;
    private const int RegularOverhead = 4 + Suites.IvLength + Suites.TagLength;
    private const int FinalOverhead = RegularOverhead + 8;

    public static async Task<long> EncryptAsync(EncryptionMaterials materials, int frameLength, Stream input, Stream output, long? declaredLength,
        CancellationToken cancel)
    {
        var messageId = RandomNumberGenerator.GetBytes(Suites.MessageIdLength);
        using var keys = new MessageKeys(materials.DataKey, materials.Suite, messageId);
        using var signer = materials.CreateSigner();
        using var hash = signer is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA384);

        var header = new MessageHeader(materials.Suite, messageId, materials.EncryptionContext, materials.EncryptedDataKeys,
            MessageHeader.Framed, frameLength, keys.Commitment);
        var headerBytes = header.Serialize();
        var tag = new byte[Suites.TagLength];
        keys.HeaderTag(headerBytes, tag);
        await Emit(output, hash, headerBytes, cancel);
        await Emit(output, hash, tag, cancel);

        var framesPerChunk = Math.Max(2, ChunkTarget / frameLength);
        var inSize = checked(framesPerChunk * frameLength);
        var plain = ArrayPool<byte>.Shared.Rent(inSize);
        var sealedFrames = ArrayPool<byte>.Shared.Rent(checked(framesPerChunk * (frameLength + RegularOverhead) + 8));
        try
        {
            uint sequence = 1;
            long total = 0;
            var filled = 0;
            while (true)
            {
                var before = filled;
                filled = await FillAsync(input, plain, filled, inSize, cancel);
                total += filled - before;
                if (declaredLength is { } declared && total > declared)
                    throw new EnvelopeException($"The input is longer than the {declared} bytes declared for it.");
                var atEnd = filled < inSize;
                var written = atEnd
                    ? SealLast(keys, plain.AsSpan(0, filled), frameLength, ref sequence, sealedFrames)
                    : SealRegular(keys, plain.AsSpan(0, filled - frameLength), frameLength, ref sequence, sealedFrames);
                await Emit(output, hash, sealedFrames.AsMemory(0, written), cancel);
                if (atEnd) break;
                plain.AsSpan(filled - frameLength, frameLength).CopyTo(plain);
                filled = frameLength;
            }

            if (signer is not null) await Emit(output, null, Footer(signer, hash!), cancel);
            await output.FlushAsync(cancel);
            return total;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain.AsSpan(0, inSize));
            ArrayPool<byte>.Shared.Return(plain);
            ArrayPool<byte>.Shared.Return(sealedFrames);
        }
    }

    private static async ValueTask<int> FillAsync(Stream input, byte[] buffer, int filled, int size, CancellationToken cancel)
    {
        while (filled < size)
        {
            var read = await input.ReadAsync(buffer.AsMemory(filled, size - filled), cancel);
            if (read == 0) break;
            filled += read;
        }

        return filled;
    }

    private static int SealRegular(MessageKeys keys, ReadOnlySpan<byte> plain, int frameLength, ref uint sequence, Span<byte> output)
    {
        var at = 0;
        for (var offset = 0; offset < plain.Length; offset += frameLength)
        {
            CheckSequence(sequence);
            var frame = output.Slice(at, frameLength + RegularOverhead);
            BinaryPrimitives.WriteUInt32BigEndian(frame, sequence);
            keys.Encrypt(MessageKeys.Block.Regular, sequence, plain.Slice(offset, frameLength), frame.Slice(4, Suites.IvLength),
                frame.Slice(4 + Suites.IvLength, frameLength), frame.Slice(4 + Suites.IvLength + frameLength, Suites.TagLength));
            sequence++;
            at += frame.Length;
        }

        return at;
    }

    // The rest of the input: whole frames, the last of them (or the remainder, possibly empty) as the final frame.
    private static int SealLast(MessageKeys keys, ReadOnlySpan<byte> plain, int frameLength, ref uint sequence, Span<byte> output)
    {
        var finalLength = plain.Length % frameLength == 0 && plain.Length > 0 ? frameLength : plain.Length % frameLength;
        var at = SealRegular(keys, plain[..^finalLength], frameLength, ref sequence, output);
        CheckSequence(sequence);
        var frame = output.Slice(at, finalLength + FinalOverhead);
        BinaryPrimitives.WriteUInt32BigEndian(frame, uint.MaxValue);
        BinaryPrimitives.WriteUInt32BigEndian(frame[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(frame[(8 + Suites.IvLength)..], (uint)finalLength);
        keys.Encrypt(MessageKeys.Block.Final, sequence, plain[^finalLength..], frame.Slice(8, Suites.IvLength),
            frame.Slice(12 + Suites.IvLength, finalLength), frame.Slice(12 + Suites.IvLength + finalLength, Suites.TagLength));
        return at + frame.Length;
    }

    private static void CheckSequence(uint sequence)
    {
        if (sequence == uint.MaxValue) throw new EnvelopeException("The plaintext needs more than 2^32 - 1 frames: use a larger frame length.");
    }

    private static byte[] Footer(System.Security.Cryptography.ECDsa signer, IncrementalHash hash)
    {
        var signature = signer.SignHash(hash.GetHashAndReset(), DSASignatureFormat.Rfc3279DerSequence);
        var footer = new byte[2 + signature.Length];
        BinaryPrimitives.WriteUInt16BigEndian(footer, (ushort)signature.Length);
        signature.CopyTo(footer, 2);
        return footer;
    }

    private static ValueTask Emit(Stream output, IncrementalHash? hash, ReadOnlyMemory<byte> bytes, CancellationToken cancel)
    {
        hash?.AppendData(bytes.Span);
        return output.WriteAsync(bytes, cancel);
    }
}
