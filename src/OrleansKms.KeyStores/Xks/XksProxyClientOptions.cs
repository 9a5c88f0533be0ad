namespace OrleansKms.KeyStores.Xks;

/// <summary>How <see cref="XksProxyClient"/> talks to external key store proxies.</summary>
public sealed class XksProxyClientOptions
{
    /// <summary>
    /// How long one proxy call may take, from sending the request to the end of the answer; past it the call fails as
    /// timed out. Default 2 seconds. AWS KMS allows 250 milliseconds; the default is looser because this service
    /// often runs on small machines where a first call also pays for JIT and the TLS handshake.
    /// </summary>
    public TimeSpan Timeout { get; set; } = XksProxyClientOptionsDefaults.Timeout;

    /// <summary>
    /// Whether Encrypt asks the proxy for a ciphertext data integrity value (<c>SHA_256</c>) and checks it, as AWS KMS
    /// does. Default true. A proxy that is asked must answer one (the specification says MUST); turn this off only for a
    /// proxy that does not implement it.
    /// </summary>
    public bool RequestCiphertextDataIntegrityValue { get; set; } = XksProxyClientOptionsDefaults.RequestCiphertextDataIntegrityValue;

    /// <summary>
    /// The largest answer body read from a proxy, in bytes; a longer one is a malformed response. Default 65536, far
    /// above the largest valid answer (a Decrypt of 4300 bytes is under 6 KB of JSON).
    /// </summary>
    public int MaxResponseBytes { get; set; } = XksProxyClientOptionsDefaults.MaxResponseBytes;

    /// <summary>Throws if a value is out of range, naming the option.</summary>
    public void Validate()
    {
        if (Timeout <= TimeSpan.Zero || Timeout > TimeSpan.FromMinutes(1))
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, $"{nameof(XksProxyClientOptions)}.{nameof(Timeout)} must be more than zero and at most one minute.");
        if (MaxResponseBytes < 1024)
            throw new ArgumentOutOfRangeException(nameof(MaxResponseBytes), MaxResponseBytes, $"{nameof(XksProxyClientOptions)}.{nameof(MaxResponseBytes)} must be at least 1024.");
    }
}

/// <summary>The defaults of <see cref="XksProxyClientOptions"/>.</summary>
internal static class XksProxyClientOptionsDefaults
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);
    public const bool RequestCiphertextDataIntegrityValue = true;
    public const int MaxResponseBytes = 64 * 1024;
}
