using System.Security.Cryptography;

namespace OrleansKms.Gateway;

/// <summary>
/// Random (version 4) ids for requests and audit events, from the system's CSPRNG drawn a few kilobytes at a time per
/// thread: Guid.NewGuid makes a system call per id, which two ids per request made a visible cost. Every random byte
/// is used once.
/// </summary>
public static class RequestIds
{
    private const int BufferSize = 4096;

    [ThreadStatic] private static byte[]? t_buffer;
    [ThreadStatic] private static int t_used;

    /// <summary>A new random id, formatted as AWS formats request ids (<c>xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx</c>, lower case).</summary>
    public static string New()
    {
        var buffer = t_buffer;
        if (buffer is null || t_used + 16 > BufferSize)
        {
            buffer = t_buffer ??= new byte[BufferSize];
            RandomNumberGenerator.Fill(buffer);
            t_used = 0;
        }

        Span<byte> bytes = stackalloc byte[16];
        buffer.AsSpan(t_used, 16).CopyTo(bytes);
        t_used += 16;
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
