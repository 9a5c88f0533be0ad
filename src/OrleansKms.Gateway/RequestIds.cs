namespace OrleansKms.Gateway;

/// <summary>
/// Random (version 4) ids for requests and audit events, from the per-thread CSPRNG buffer of
/// <see cref="Crypto.Nonces"/>: Guid.NewGuid makes a system call per id, which two ids per request made a visible cost.
/// </summary>
public static class RequestIds
{
    /// <summary>A new random id, formatted as AWS formats request ids (<c>xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx</c>, lower case).</summary>
    public static string New()
    {
        Span<byte> bytes = stackalloc byte[16];
        Crypto.Nonces.Fill(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40); // version 4
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
