using System.Buffers;

namespace OrleansKms.Hosting.Audit;

/// <summary>
/// A seekable in-memory stream kept in pooled 64 KiB chunks: written once front to back, then read (and, for a
/// retried upload, read again from the start). Unlike a MemoryStream it never copies what it holds into a larger
/// array, and it allocates nothing on the large-object heap. The chunks go back to the pool on dispose.
/// </summary>
public sealed class PooledChunkStream : Stream
{
    private const int ChunkSize = 64 * 1024;
    private readonly List<byte[]> _chunks = [];
    private long _length;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => _position = value >= 0 && value <= _length ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_position != _length) throw new NotSupportedException("Writes only append.");
        while (buffer.Length > 0)
        {
            var at = (int)(_length % ChunkSize);
            if (at == 0 && _length / ChunkSize == _chunks.Count) _chunks.Add(ArrayPool<byte>.Shared.Rent(ChunkSize));
            var n = Math.Min(buffer.Length, ChunkSize - at);
            buffer[..n].CopyTo(_chunks[(int)(_length / ChunkSize)].AsSpan(at));
            buffer = buffer[n..];
            _length += n;
        }

        _position = _length;
    }

    public override void WriteByte(byte value) => Write([value]);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var total = 0;
        while (buffer.Length > 0 && _position < _length)
        {
            var at = (int)(_position % ChunkSize);
            var n = (int)Math.Min(Math.Min(buffer.Length, ChunkSize - at), _length - _position);
            _chunks[(int)(_position / ChunkSize)].AsSpan(at, n).CopyTo(buffer);
            buffer = buffer[n..];
            _position += n;
            total += n;
        }

        return total;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override long Seek(long offset, SeekOrigin origin)
    {
        Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => _length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        return _position;
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    protected override void Dispose(bool disposing)
    {
        foreach (var chunk in _chunks) ArrayPool<byte>.Shared.Return(chunk);
        _chunks.Clear();
        _length = _position = 0;
        base.Dispose(disposing);
    }
}
