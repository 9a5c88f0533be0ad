using System.Security.Cryptography;

namespace OrleansKms.Encryption;

/// <summary>
/// Envelope encryption in the AWS Encryption SDK message format, version 2: each message gets a data key from KMS
/// (or from the <see cref="DataKeyCache"/>), encrypted under every wrapping key of the <see cref="KmsKeyring"/> and
/// stored in the header; the plaintext is encrypted in frames with AES-256-GCM under a key derived for the message.
/// Messages interoperate with the official AWS Encryption SDKs. Thread-safe.
/// </summary>
public sealed class EnvelopeEncryptionClient
{
    private readonly KmsKeyring _keyring;
    private readonly EnvelopeEncryptionOptions _options;
    private readonly MessageDecryptor _decryptor;

    public EnvelopeEncryptionClient(KmsKeyring keyring, EnvelopeEncryptionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(keyring);
        _keyring = keyring;
        _options = options ?? new EnvelopeEncryptionOptions();
        if (!Suites.IsSupported((ushort)_options.Algorithm)) throw new ArgumentException($"Algorithm suite {_options.Algorithm} is not supported.", nameof(options));
        if (_options.FrameLength < 1 || _options.FrameLength > _options.MaxFrameLength)
            throw new ArgumentException($"{nameof(EnvelopeEncryptionOptions.FrameLength)} must be between 1 and {nameof(EnvelopeEncryptionOptions.MaxFrameLength)} ({_options.MaxFrameLength}).", nameof(options));
        _decryptor = new MessageDecryptor(_options);
    }

    /// <summary>Encrypts <paramref name="plaintext"/> into one message.</summary>
    public async Task<byte[]> EncryptAsync(ReadOnlyMemory<byte> plaintext, IReadOnlyDictionary<string, string>? context = null,
        CancellationToken cancel = default)
    {
        using var input = new ReadOnlyMemoryStream(plaintext);
        using var output = new MemoryStream(plaintext.Length + 1024);
        await EncryptAsync(input, output, context, cancel);
        return output.ToArray();
    }

    /// <summary>
    /// Encrypts <paramref name="plaintext"/> to <paramref name="ciphertext"/> as it reads it, in constant memory. A
    /// seekable input declares its length, which lets the cache reuse a data key; other streams always get a new one.
    /// </summary>
    /// <returns>The plaintext bytes encrypted.</returns>
    public async Task<long> EncryptAsync(Stream plaintext, Stream ciphertext, IReadOnlyDictionary<string, string>? context = null,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(ciphertext);
        context ??= new Dictionary<string, string>();
        if (context.Keys.FirstOrDefault(k => k.StartsWith(EncryptionContextCodec.ReservedPrefix, StringComparison.Ordinal)) is { } reserved)
            throw new EnvelopeException($"Encryption context key '{reserved}' is reserved: keys starting '{EncryptionContextCodec.ReservedPrefix}' belong to the SDK.");
        long? length = plaintext.CanSeek ? plaintext.Length - plaintext.Position : null;
        using var materials = await MaterialsAsync(context, length, cancel);
        return await MessageEncryptor.EncryptAsync(materials, _options.FrameLength, plaintext, ciphertext, length, cancel);
    }

    /// <summary>Encrypts a file; the output appears (atomically renamed) only when the whole message is written.</summary>
    public async Task<long> EncryptFileAsync(string plaintextPath, string ciphertextPath, IReadOnlyDictionary<string, string>? context = null,
        CancellationToken cancel = default)
    {
        await using var input = OpenRead(plaintextPath);
        return await AtomicFile.WriteAsync(ciphertextPath, output => EncryptAsync(input, output, context, cancel), cancel);
    }

    /// <summary>
    /// Decrypts one message; nothing is returned unless every check passed. <c>requiredContext</c>: pairs the message's
    /// encryption context must contain, with these values.
    /// </summary>
    public async Task<DecryptedMessage> DecryptAsync(ReadOnlyMemory<byte> message, IReadOnlyDictionary<string, string>? requiredContext = null,
        CancellationToken cancel = default)
    {
        using var input = new ReadOnlyMemoryStream(message);
        using var output = new MemoryStream(Math.Max(0, message.Length - 200));
        var result = await _decryptor.DecryptAsync(input, output, requiredContext, streaming: false, DataKeyAsync, cancel);
        return new DecryptedMessage(output.ToArray(), result.Header);
    }

    /// <summary>
    /// Decrypts a message as it reads it, in constant memory. Plaintext is written only once authenticated; for signed
    /// messages see <see cref="EnvelopeEncryptionOptions.SignedStreaming"/>: if this throws, discard what was written.
    /// </summary>
    public Task<DecryptResult> DecryptAsync(Stream message, Stream plaintext, IReadOnlyDictionary<string, string>? requiredContext = null,
        CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(plaintext);
        return _decryptor.DecryptAsync(message, plaintext, requiredContext, streaming: true, DataKeyAsync, cancel);
    }

    /// <summary>Decrypts a file; the plaintext file appears (atomically renamed) only when every check passed.</summary>
    public async Task<DecryptResult> DecryptFileAsync(string messagePath, string plaintextPath, IReadOnlyDictionary<string, string>? requiredContext = null,
        CancellationToken cancel = default)
    {
        await using var input = OpenRead(messagePath);
        return await AtomicFile.WriteAsync(plaintextPath,
            output => _decryptor.DecryptAsync(input, output, requiredContext, streaming: false, DataKeyAsync, cancel), cancel);
    }

    private async Task<EncryptionMaterials> MaterialsAsync(IReadOnlyDictionary<string, string> context, long? length, CancellationToken cancel)
    {
        if (_options.Cache is not { } cache) return await NewMaterialsAsync(context, cancel);
        var key = DataKeyCache.EncryptionKey(_options.Algorithm, _keyring.Identity, context);
        return await cache.GetEncryptionAsync(key, length, () => NewMaterialsAsync(context, cancel));
    }

    private async Task<EncryptionMaterials> NewMaterialsAsync(IReadOnlyDictionary<string, string> context, CancellationToken cancel)
    {
        var full = new Dictionary<string, string>(context, StringComparer.Ordinal);
        byte[]? signingKey = null;
        if (_options.Algorithm.IsSigned())
        {
            using var signer = SignatureKeys.Create();
            full[EncryptionContextCodec.PublicKeyName] = SignatureKeys.PublicKeyText(signer);
            signingKey = signer.ExportPkcs8PrivateKey();
        }

        try
        {
            var (dataKey, keys) = await _keyring.GenerateAsync(full, cancel);
            return new EncryptionMaterials(_options.Algorithm, dataKey, keys, full, signingKey);
        }
        catch
        {
            if (signingKey is not null) CryptographicOperations.ZeroMemory(signingKey);
            throw;
        }
    }

    private Task<PlaintextDataKey> DataKeyAsync(MessageHeader header, CancellationToken cancel)
    {
        if (_options.Cache is not { } cache) return _keyring.DecryptAsync(header.EncryptedDataKeys, header.EncryptionContext, cancel);
        var key = DataKeyCache.DecryptionKey(header.Suite, _keyring.Identity, header.EncryptedDataKeys, header.EncryptionContext);
        return cache.GetDecryptionAsync(key, () => _keyring.DecryptAsync(header.EncryptedDataKeys, header.EncryptionContext, cancel));
    }

    private static FileStream OpenRead(string path) =>
        new(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, BufferSize = 0, Options = FileOptions.SequentialScan });
}

/// <summary>A decrypted message: the plaintext and the header it was read with.</summary>
public sealed record DecryptedMessage(byte[] Plaintext, MessageHeader Header)
{
    /// <summary>The message's encryption context (with the SDK's own pairs, e.g. <c>aws-crypto-public-key</c>).</summary>
    public IReadOnlyDictionary<string, string> EncryptionContext => Header.EncryptionContext;
}
