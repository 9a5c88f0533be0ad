using System.Security.Cryptography;

namespace OrleansKms.Crypto;

/// <summary>
/// Random nonces from the system's CSPRNG, drawn a few kilobytes at a time per thread: one call into the CSPRNG costs
/// about as much as an AES-GCM encryption of a small message, whatever its size. Every byte is handed out once and
/// cleared from the buffer as it is. For nonces and public ids (the gateway's request and event ids) only; keys come
/// from <see cref="RandomNumberGenerator"/> directly.
/// </summary>
public static class Nonces
{
    private const int BufferSize = 4096;

    [ThreadStatic] private static byte[]? t_buffer;
    [ThreadStatic] private static int t_used;

    public static void Fill(Span<byte> nonce)
    {
        if (nonce.Length > BufferSize / 4)
        {
            RandomNumberGenerator.Fill(nonce);
            return;
        }

        var buffer = t_buffer;
        if (buffer is null || t_used + nonce.Length > BufferSize)
        {
            buffer = t_buffer ??= new byte[BufferSize];
            RandomNumberGenerator.Fill(buffer);
            t_used = 0;
        }

        var slice = buffer.AsSpan(t_used, nonce.Length);
        slice.CopyTo(nonce);
        slice.Clear();
        t_used += nonce.Length;
    }
}
