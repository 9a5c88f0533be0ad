namespace OrleansKms.Cli.Envelope;

/// <summary>A one-line progress bar on standard error (redrawn at most 10 times a second), for a known input size.</summary>
internal sealed class ProgressBar(TextWriter output, long total) : IDisposable
{
    private const int Width = 30;
    private long _lastDraw = Environment.TickCount64 - 1000;
    private bool _drawn;

    public void Report(long done)
    {
        var now = Environment.TickCount64;
        if (now - _lastDraw < 100) return;
        _lastDraw = now;
        Draw(done);
    }

    public void Complete() => Draw(total);

    private void Draw(long done)
    {
        var fraction = total == 0 ? 1 : Math.Clamp((double)done / total, 0, 1);
        var filled = (int)(fraction * Width);
        output.Write($"\r[{new string('#', filled)}{new string('.', Width - filled)}] {(int)(fraction * 100),3}% {done >> 20} / {total >> 20} MiB");
        output.Flush();
        _drawn = true;
    }

    public void Dispose()
    {
        if (_drawn) output.WriteLine();
    }
}

/// <summary>Passes reads through and reports the running byte count.</summary>
internal sealed class CountingStream(Stream inner, Action<long> report) : Stream
{
    private long _count;

    public override bool CanRead => true;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Counted(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Counted(int read)
    {
        _count += read;
        report(_count);
        return read;
    }
}
