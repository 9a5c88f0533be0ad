using Amazon.KeyManagementService;

namespace OrleansKms.Encryption;

/// <summary>The KMS keys that wrap data keys and the KMS clients that reach them.</summary>
public sealed class KmsKeyringOptions
{
    /// <summary>
    /// The client for keys named without a Region (key ids, aliases) and for every key when
    /// <see cref="ClientForRegion"/> is not set. Required.
    /// </summary>
    public IAmazonKeyManagementService Client { get; set; } = null!;

    /// <summary>
    /// Optional: the client for a Region, used for key ARNs (a multi-Region replica is reached in its own Region).
    /// Called once per Region and cached by the keyring.
    /// </summary>
    public Func<string, IAmazonKeyManagementService>? ClientForRegion { get; set; }

    /// <summary>
    /// The wrapping keys. Encryption: the first generates the data key (GenerateDataKey), each other encrypts a copy of it
    /// (Encrypt): one encrypted data key per key; ids, ARNs, alias names and alias ARNs are accepted. Decryption: only
    /// key ARNs count, and an encrypted data key is tried with a listed key whose ARN is equal, or, for multi-Region keys,
    /// equal but for the Region. Empty: decryption in discovery mode (any KMS key the caller may use, named by the
    /// message itself); encryption then fails.
    /// </summary>
    public IList<string> KeyIds { get; set; } = [];

    /// <summary>
    /// Discovery mode only: the Region where multi-Region keys are used. A message whose data key was encrypted under
    /// a multi-Region key of another Region is decrypted with that key's replica in this Region. Default: none (the
    /// message's own ARN is used).
    /// </summary>
    public string? DiscoveryRegion { get; set; }

    /// <summary>Grant tokens passed on every KMS call.</summary>
    public IList<string> GrantTokens { get; set; } = [];
}
