using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace OrleansKms.Encryption;

/// <summary>
/// Wraps and unwraps data keys with AWS KMS keys through <see cref="IAmazonKeyManagementService"/>, so it works against
/// AWS and against any KMS-compatible endpoint. Encrypted data keys carry provider id <c>aws-kms</c> and, as provider
/// information, the ARN KMS answered with. The full encryption context of the message (with the SDK's own pairs) is
/// the KMS encryption context of every call, as in the official SDKs.
/// </summary>
public sealed class KmsKeyring
{
    internal const string ProviderId = "aws-kms";

    private readonly KmsKeyringOptions _options;
    private readonly List<string> _keyIds;
    private readonly List<KmsKeyArn> _decryptArns;
    private readonly ConcurrentDictionary<string, IAmazonKeyManagementService> _regional = new(StringComparer.Ordinal);

    public KmsKeyring(KmsKeyringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Client is null) throw new ArgumentException($"{nameof(KmsKeyringOptions)}.{nameof(KmsKeyringOptions.Client)} must be set.", nameof(options));
        if (options.KeyIds.Any(string.IsNullOrWhiteSpace)) throw new ArgumentException("A key id is empty.", nameof(options));
        _options = options;
        _keyIds = [.. options.KeyIds];
        _decryptArns = [.. _keyIds.Select(KmsKeyArn.TryParse).OfType<KmsKeyArn>()];
        Identity = string.Join('\n', _keyIds);
    }

    /// <summary>Tells cache entries of keyrings with other keys apart.</summary>
    internal string Identity { get; }

    internal bool IsDiscovery => _keyIds.Count == 0;

    /// <summary>A new data key, encrypted under every wrapping key.</summary>
    internal async Task<(byte[] DataKey, List<EncryptedDataKey> EncryptedKeys)> GenerateAsync(
        IReadOnlyDictionary<string, string> context, CancellationToken cancel)
    {
        if (_keyIds.Count == 0) throw new EnvelopeException("Encryption needs at least one KMS key (the keyring has none).");
        var generated = await ClientFor(_keyIds[0]).GenerateDataKeyAsync(new GenerateDataKeyRequest
        {
            KeyId = _keyIds[0],
            NumberOfBytes = Suites.DataKeyLength,
            EncryptionContext = Copy(context),
            GrantTokens = Tokens(),
        }, cancel);
        var dataKey = Drain(generated.Plaintext);
        if (dataKey.Length != Suites.DataKeyLength || KmsKeyArn.TryParse(generated.KeyId ?? "") is null)
        {
            CryptographicOperations.ZeroMemory(dataKey);
            throw new EnvelopeException($"KMS answered GenerateDataKey for {_keyIds[0]} with a data key or key ARN that is not valid.");
        }

        try
        {
            var keys = new List<EncryptedDataKey> { Edk(generated.KeyId!, generated.CiphertextBlob) };
            foreach (var keyId in _keyIds.Skip(1))
            {
                using var plaintext = new MemoryStream(dataKey, writable: false);
                var encrypted = await ClientFor(keyId).EncryptAsync(new EncryptRequest
                {
                    KeyId = keyId,
                    Plaintext = plaintext,
                    EncryptionContext = Copy(context),
                    GrantTokens = Tokens(),
                }, cancel);
                if (KmsKeyArn.TryParse(encrypted.KeyId ?? "") is null)
                    throw new EnvelopeException($"KMS answered Encrypt for {keyId} without a key ARN.");
                keys.Add(Edk(encrypted.KeyId!, encrypted.CiphertextBlob));
            }

            return (dataKey, keys);
        }
        catch
        {
            CryptographicOperations.ZeroMemory(dataKey);
            throw;
        }
    }

    /// <summary>
    /// The data key, from the first encrypted data key a wrapping key can decrypt. KMS errors of the attempts are kept
    /// and reported together when none succeeds.
    /// </summary>
    internal async Task<PlaintextDataKey> DecryptAsync(IReadOnlyList<EncryptedDataKey> keys, IReadOnlyDictionary<string, string> context,
        CancellationToken cancel)
    {
        var errors = new List<Exception>();
        foreach (var (key, arn) in Candidates(keys))
        {
            try
            {
                using var blob = new MemoryStream(key.Ciphertext, writable: false);
                var decrypted = await ClientFor(arn.ToString()).DecryptAsync(new DecryptRequest
                {
                    KeyId = arn.ToString(),
                    CiphertextBlob = blob,
                    EncryptionContext = Copy(context),
                    GrantTokens = Tokens(),
                }, cancel);
                var dataKey = Drain(decrypted.Plaintext);
                if (decrypted.KeyId != arn.ToString() || dataKey.Length != Suites.DataKeyLength)
                {
                    CryptographicOperations.ZeroMemory(dataKey);
                    errors.Add(new EnvelopeException($"KMS answered Decrypt with key {decrypted.KeyId}, not {arn}, or a data key of the wrong length."));
                    continue;
                }

                return new PlaintextDataKey(dataKey);
            }
            catch (AmazonKeyManagementServiceException e)
            {
                errors.Add(e);
            }
        }

        var tried = errors.Count == 0
            ? IsDiscovery ? "the message has no AWS KMS encrypted data key" : "none of the message's encrypted data keys was made with a KMS key of the keyring"
            : string.Join("; ", errors.Select(e => e is AmazonKeyManagementServiceException k ? $"{(string.IsNullOrEmpty(k.ErrorCode) ? k.GetType().Name : k.ErrorCode)}: {k.Message}" : e.Message));
        throw new NoDecryptableDataKeyException($"No KMS key could decrypt the message's data key ({tried}).",
            errors.Count == 1 ? errors[0] : errors.Count > 1 ? new AggregateException(errors) : null);
    }

    private IEnumerable<(EncryptedDataKey Key, KmsKeyArn Arn)> Candidates(IReadOnlyList<EncryptedDataKey> keys)
    {
        foreach (var key in keys)
        {
            if (key.ProviderId != ProviderId || KmsKeyArn.TryParse(key.ProviderInfoText) is not { } written || !written.Resource.StartsWith("key/", StringComparison.Ordinal))
                continue;
            if (IsDiscovery)
            {
                yield return (key, _options.DiscoveryRegion is { } region && written.IsMultiRegion ? written.InRegion(region) : written);
                continue;
            }

            foreach (var arn in _decryptArns.Where(a => a.Matches(written)))
                yield return (key, arn);
        }
    }

    private IAmazonKeyManagementService ClientFor(string keyId)
    {
        if (_options.ClientForRegion is null || KmsKeyArn.TryParse(keyId) is not { } arn) return _options.Client;
        return _regional.GetOrAdd(arn.Region, _options.ClientForRegion);
    }

    private List<string>? Tokens() => _options.GrantTokens.Count == 0 ? null : [.. _options.GrantTokens];

    private static Dictionary<string, string>? Copy(IReadOnlyDictionary<string, string> context) =>
        context.Count == 0 ? null : new Dictionary<string, string>(context, StringComparer.Ordinal);

    private static EncryptedDataKey Edk(string arn, MemoryStream ciphertext) =>
        new(ProviderId, Encoding.UTF8.GetBytes(arn), ciphertext.ToArray());

    // The SDK's stream holds the data key: copy it out, then wipe the stream's buffer.
    private static byte[] Drain(MemoryStream? plaintext)
    {
        if (plaintext is null) return [];
        var bytes = plaintext.ToArray();
        if (plaintext.TryGetBuffer(out var buffer)) CryptographicOperations.ZeroMemory(buffer.AsSpan());
        plaintext.Dispose();
        return bytes;
    }
}
