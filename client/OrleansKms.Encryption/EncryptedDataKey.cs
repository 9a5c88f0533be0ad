using System.Text;

namespace OrleansKms.Encryption;

/// <summary>
/// One encrypted copy of a message's data key, as the header stores it: who can decrypt it (the key provider, e.g.
/// <c>aws-kms</c>, and its information, for KMS the ARN of the wrapping key) and the ciphertext.
/// </summary>
public sealed record EncryptedDataKey(string ProviderId, byte[] ProviderInfo, byte[] Ciphertext)
{
    /// <summary>The provider information as text (for KMS: the ARN of the KMS key that encrypted the data key).</summary>
    public string ProviderInfoText => Encoding.UTF8.GetString(ProviderInfo);
}
