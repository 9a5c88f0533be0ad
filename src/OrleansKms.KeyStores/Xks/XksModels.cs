namespace OrleansKms.KeyStores.Xks;

/// <summary>
/// A GetKeyMetadata answer: the external key's type, the operations it allows and its status in the external key
/// manager (XKS Proxy API specification, GetKeyMetadata).
/// </summary>
/// <param name="KeySpec">The key type; <c>AES_256</c> is the only one KMS accepts.</param>
/// <param name="KeyUsage">The operations the key allows (at most ten), e.g. <c>ENCRYPT</c>, <c>DECRYPT</c>.</param>
/// <param name="KeyStatus"><c>ENABLED</c> or <c>DISABLED</c>.</param>
public sealed record XksKeyMetadata(string KeySpec, IReadOnlyList<string> KeyUsage, string KeyStatus)
{
    /// <summary>
    /// Throws XksKeyInvalidConfigurationException unless the key can back a KMS key, as CreateKey requires: an
    /// <c>AES_256</c> key that is <c>ENABLED</c> and allows both <c>ENCRYPT</c> and <c>DECRYPT</c>.
    /// </summary>
    public void EnsureUsableByKms()
    {
        var problems = new List<string>(3);
        if (KeySpec != "AES_256") problems.Add($"its key spec is {KeySpec}, not AES_256");
        if (!KeyUsage.Contains("ENCRYPT") || !KeyUsage.Contains("DECRYPT")) problems.Add("it does not support both ENCRYPT and DECRYPT");
        if (KeyStatus != "ENABLED") problems.Add($"its status is {KeyStatus}, not ENABLED");
        if (problems.Count == 0) return;
        throw new KmsException(KmsErrorCode.XksKeyInvalidConfigurationException,
            $"The external key cannot back a KMS key in an external key store: {string.Join("; ", problems)}. The external key must be an AES-256 symmetric key that is enabled and performs encryption and decryption.");
    }
}

/// <summary>
/// What the external key manager made of one Encrypt (XKS Proxy API specification, Encrypt response): the four parts
/// a Decrypt gives back.
/// </summary>
/// <param name="Ciphertext">The AES-GCM ciphertext; as long as the plaintext.</param>
/// <param name="InitializationVector">The IV the external key manager chose: 12 or 16 bytes.</param>
/// <param name="AuthenticationTag">The AES-GCM tag: 16 bytes.</param>
/// <param name="CiphertextMetadata">Up to 20 vendor-specific bytes the proxy may return (e.g. a key version), or null.</param>
public sealed record XksCiphertext(byte[] Ciphertext, byte[] InitializationVector, byte[] AuthenticationTag, byte[]? CiphertextMetadata = null)
{
    /// <summary>The tag size the specification requires.</summary>
    public const int TagSize = 16;

    /// <summary>The largest ciphertext metadata the specification allows.</summary>
    public const int MaxMetadataSize = 20;

    /// <summary>Whether an IV length is one the specification allows (12 or 16 bytes).</summary>
    public static bool IsValidIvLength(int length) => length is 12 or 16;
}

/// <summary>A GetHealthStatus answer (XKS Proxy API specification, GetHealthStatus response).</summary>
/// <param name="XksProxyFleetSize">How many proxy instances serve the endpoint (greater than zero).</param>
/// <param name="XksProxyVendor">Who made the proxy.</param>
/// <param name="XksProxyModel">The proxy's product name and version.</param>
/// <param name="EkmVendor">Who made the external key manager.</param>
/// <param name="EkmFleetDetails">One to ten external key manager instances and their health.</param>
public sealed record XksHealth(
    int XksProxyFleetSize, string XksProxyVendor, string XksProxyModel, string EkmVendor, IReadOnlyList<XksEkmInstance> EkmFleetDetails);

/// <summary>One external key manager instance in a health answer.</summary>
/// <param name="Id">Its identifier within the external key manager cluster.</param>
/// <param name="Model">Its model (product, version).</param>
/// <param name="HealthStatus"><c>ACTIVE</c>, <c>DEGRADED</c> (unhealthy but serving) or <c>UNAVAILABLE</c>.</param>
public sealed record XksEkmInstance(string Id, string Model, string HealthStatus);
