using System.Buffers;
using System.Security.Cryptography;

namespace OrleansKms.Encryption;

/// <summary>
/// Reads a message from a stream through one pooled buffer, so a frame is decrypted straight from the bytes read
/// (no copy per frame). Every byte taken goes to <see cref="Hash"/> when set (the signature covers the whole message).
/// Running out of input where the format needs more is a <see cref="MessageTruncatedException"/>.
/// </summary>
internal sealed class MessageReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;

    public MessageReader(Stream stream, int bufferSize)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    public IncrementalHash? Hash { get; set; }

    /// <summary>How many bytes are already buffered.</summary>
    public int Available => _end - _start;

    /// <summary>Makes the buffer hold at least <paramref name="size"/> bytes (once, for the message's frame length).</summary>
    public void Reserve(int size)
    {
        if (_buffer.Length >= size) return;
        var bigger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(_start, Available).CopyTo(bigger);
        _end = Available;
        _start = 0;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    /// <summary>Waits until <paramref name="count"/> bytes are buffered; <paramref name="part"/> names what was cut short.</summary>
    public async ValueTask EnsureAsync(int count, string part, CancellationToken cancel)
    {
        if (Available >= count) return;
        Reserve(count);
        if (_buffer.Length - _start < count)
        {
            _buffer.AsSpan(_start, Available).CopyTo(_buffer);
            _end = Available;
            _start = 0;
        }

        while (Available < count)
        {
            // Read as much as fits: the next frames usually arrive with this one.
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancel);
            if (read == 0) throw new MessageTruncatedException($"The message ends inside {part}: it was cut short.");
            _end += read;
        }
    }

    /// <summary>Whether the input has no more bytes.</summary>
    public async ValueTask<bool> AtEndAsync(CancellationToken cancel)
    {
        if (Available > 0) return false;
        _start = _end = 0;
        var read = await _stream.ReadAsync(_buffer, cancel);
        _end = read;
        return read == 0;
    }

    /// <summary>The next <paramref name="count"/> buffered bytes (after <see cref="EnsureAsync"/>), valid until the next read.</summary>
    public ReadOnlySpan<byte> Take(int count)
    {
        var span = _buffer.AsSpan(_start, count);
        _start += count;
        Hash?.AppendData(span);
        return span;
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
    }
}
