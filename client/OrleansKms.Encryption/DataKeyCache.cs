using System.Security.Cryptography;
using System.Text;

namespace OrleansKms.Encryption;

/// <summary>
/// Reuses data keys across messages to save KMS calls, like the AWS Encryption SDK's caching materials manager.
/// Encryption entries are keyed by suite, keyring and encryption context; one is used only for a message whose length is
/// known up front and fits the bytes limit (a stream of unknown length always gets a fresh data key). Decryption
/// entries are keyed by suite, encrypted data keys and context. An entry's secrets are zeroed when it leaves the cache;
/// callers get copies. Thread-safe; share one instance between clients with the same trust requirements.
/// </summary>
public sealed class DataKeyCache : IDisposable
{
    private readonly DataKeyCacheOptions _options;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _recency = new();

    public DataKeyCache(DataKeyCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxAge <= TimeSpan.Zero) throw new ArgumentException($"{nameof(DataKeyCacheOptions.MaxAge)} must be greater than zero.", nameof(options));
        if (options.Capacity < 1) throw new ArgumentException($"{nameof(DataKeyCacheOptions.Capacity)} must be at least 1.", nameof(options));
        if (options.MaxMessagesPerKey < 1) throw new ArgumentException($"{nameof(DataKeyCacheOptions.MaxMessagesPerKey)} must be at least 1.", nameof(options));
        if (options.MaxBytesPerKey < 0) throw new ArgumentException($"{nameof(DataKeyCacheOptions.MaxBytesPerKey)} must not be negative.", nameof(options));
        _options = options;
    }

    /// <summary>Entries held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _entries.Count;
        }
    }

    internal async Task<EncryptionMaterials> GetEncryptionAsync(string key, long? plaintextLength, Func<Task<EncryptionMaterials>> create)
    {
        if (plaintextLength is not { } length || length > _options.MaxBytesPerKey) return await create();
        lock (_lock)
        {
            if (Find(key) is { } entry && entry.Messages + 1 <= _options.MaxMessagesPerKey && entry.Bytes + length <= _options.MaxBytesPerKey)
            {
                entry.Messages++;
                entry.Bytes += length;
                return entry.Encryption!.Copy();
            }

            Remove(key);
        }

        var materials = await create();
        lock (_lock)
        {
            Remove(key);
            Add(key, new Entry(materials, null, _options.TimeProvider.GetUtcNow()) { Messages = 1, Bytes = length });
        }

        return materials.Copy();
    }

    internal async Task<PlaintextDataKey> GetDecryptionAsync(string key, Func<Task<PlaintextDataKey>> create)
    {
        lock (_lock)
        {
            if (Find(key) is { } entry) return entry.Decryption!.Copy();
        }

        var dataKey = await create();
        lock (_lock)
        {
            Remove(key);
            Add(key, new Entry(null, dataKey, _options.TimeProvider.GetUtcNow()));
        }

        return dataKey.Copy();
    }

    /// <summary>Drops every entry (zeroing its data key).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            foreach (var entry in _recency) entry.Dispose();
            _recency.Clear();
            _entries.Clear();
        }
    }

    public void Dispose() => Clear();

    internal static string EncryptionKey(AlgorithmSuite suite, string keyring, IReadOnlyDictionary<string, string> context) =>
        Digest("E", ((ushort)suite).ToString(), keyring, Convert.ToBase64String(EncryptionContextCodec.Serialize(context)));

    internal static string DecryptionKey(AlgorithmSuite suite, string keyring, IReadOnlyList<EncryptedDataKey> keys,
        IReadOnlyDictionary<string, string> context) =>
        Digest([
            "D", ((ushort)suite).ToString(), keyring, Convert.ToBase64String(EncryptionContextCodec.Serialize(context)),
            .. keys.Select(k => $"{k.ProviderId}|{Convert.ToBase64String(k.ProviderInfo)}|{Convert.ToBase64String(k.Ciphertext)}").Order(StringComparer.Ordinal),
        ]);

    private static string Digest(params string[] parts) =>
        Convert.ToBase64String(SHA512.HashData(Encoding.UTF8.GetBytes(string.Join('\0', parts.Select(p => p.Length + ":" + p)))));

    // The live entry under key (moved to the front), or null once it is too old (then removed).
    private Entry? Find(string key)
    {
        if (!_entries.TryGetValue(key, out var node)) return null;
        if (_options.TimeProvider.GetUtcNow() - node.Value.Created >= _options.MaxAge)
        {
            Remove(key);
            return null;
        }

        _recency.Remove(node);
        _recency.AddFirst(node);
        return node.Value;
    }

    private void Add(string key, Entry entry)
    {
        _entries[key] = _recency.AddFirst(entry with { Key = key });
        while (_entries.Count > _options.Capacity)
        {
            var last = _recency.Last!;
            _recency.RemoveLast();
            _entries.Remove(last.Value.Key);
            last.Value.Dispose();
        }
    }

    private void Remove(string key)
    {
        if (!_entries.Remove(key, out var node)) return;
        _recency.Remove(node);
        node.Value.Dispose();
    }

    private sealed record Entry(EncryptionMaterials? Encryption, PlaintextDataKey? Decryption, DateTimeOffset Created) : IDisposable
    {
        public string Key { get; init; } = "";

        public long Messages { get; set; }

        public long Bytes { get; set; }

        public void Dispose()
        {
            Encryption?.Dispose();
            Decryption?.Dispose();
        }
    }
}
