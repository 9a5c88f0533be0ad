using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace EncryptedStateSample;

/// <summary>
/// Envelope encryption with KMS: a fresh 256-bit data key per seal from GenerateDataKey (under <c>keyId</c>, with the
/// encryption context), AES-GCM locally, the encrypted data key kept beside the ciphertext. Opening asks KMS to decrypt
/// the data key with the same encryption context: under another context KMS refuses (InvalidCiphertextException), so
/// one grain's state cannot be opened as another's.
/// </summary>
public sealed class EnvelopeCipher(IAmazonKeyManagementService kms)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>The encryption context that binds sealed state to one grain.</summary>
    public static Dictionary<string, string> ContextFor(GrainId grain) => new(StringComparer.Ordinal)
    {
        ["purpose"] = "orleans-grain-state",
        ["grain"] = grain.ToString(),
    };

    public async Task<SealedState> SealAsync(string keyId, ReadOnlyMemory<byte> plaintext, Dictionary<string, string> context, CancellationToken cancel = default)
    {
        var dataKey = await kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256, EncryptionContext = context }, cancel);
        var key = dataKey.Plaintext.ToArray();
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(NonceSize);
            var ciphertext = new byte[plaintext.Length];
            var tag = new byte[TagSize];
            using (var aes = new AesGcm(key, TagSize)) aes.Encrypt(nonce, plaintext.Span, ciphertext, tag, AssociatedData(context));
            return new SealedState { KeyArn = dataKey.KeyId, EncryptedDataKey = dataKey.CiphertextBlob.ToArray(), Nonce = nonce, Ciphertext = ciphertext, Tag = tag };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            Wipe(dataKey.Plaintext);
        }
    }

    /// <summary>The plaintext; KMS's InvalidCiphertextException if the state was sealed under another context.</summary>
    public async Task<byte[]> OpenAsync(SealedState state, Dictionary<string, string> context, CancellationToken cancel = default)
    {
        if (state.Version != 1) throw new NotSupportedException($"Sealed state version {state.Version} is not known to this version.");
        var dataKey = await kms.DecryptAsync(new DecryptRequest
        {
            KeyId = state.KeyArn,
            CiphertextBlob = new MemoryStream(state.EncryptedDataKey),
            EncryptionContext = context,
        }, cancel);
        var key = dataKey.Plaintext.ToArray();
        try
        {
            var plaintext = new byte[state.Ciphertext.Length];
            using (var aes = new AesGcm(key, TagSize)) aes.Decrypt(state.Nonce, state.Ciphertext, state.Tag, plaintext, AssociatedData(context));
            return plaintext;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            Wipe(dataKey.Plaintext);
        }
    }

    /// <summary>Zeroes the SDK's copy of a plaintext data key, where its buffer can be reached.</summary>
    private static void Wipe(MemoryStream plaintext)
    {
        if (plaintext.TryGetBuffer(out var buffer)) CryptographicOperations.ZeroMemory(buffer);
        plaintext.Dispose();
    }

    /// <summary>The context as associated data: its pairs sorted by key, each "key=value" with lengths prefixed.</summary>
    private static byte[] AssociatedData(Dictionary<string, string> context)
    {
        var text = new StringBuilder();
        foreach (var (k, v) in context.OrderBy(p => p.Key, StringComparer.Ordinal)) text.Append(k.Length).Append(':').Append(k).Append(v.Length).Append(':').Append(v);
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
