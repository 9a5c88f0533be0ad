namespace OrleansKms.Encryption;

/// <summary>
/// Limits of the <see cref="DataKeyCache"/>, after the AWS Encryption SDK's caching materials manager: an entry is used
/// while it is younger than <see cref="MaxAge"/> and has protected fewer than <see cref="MaxMessagesPerKey"/> messages
/// and <see cref="MaxBytesPerKey"/> bytes; beyond <see cref="Capacity"/> entries the least recently used goes.
/// </summary>
public sealed class DataKeyCacheOptions
{
    /// <summary>Entries kept at most (default 100).</summary>
    public int Capacity { get; set; } = 100;

    /// <summary>How long a data key is reused after KMS made it (required, no default: choose it for your risk).</summary>
    public TimeSpan MaxAge { get; set; }

    /// <summary>Messages one data key may encrypt (default 2^32, the SDK's default).</summary>
    public long MaxMessagesPerKey { get; set; } = 1L << 32;

    /// <summary>Plaintext bytes one data key may encrypt (default <see cref="long.MaxValue"/>).</summary>
    public long MaxBytesPerKey { get; set; } = long.MaxValue;

    /// <summary>The clock of <see cref="MaxAge"/> (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
