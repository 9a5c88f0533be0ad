using System.Collections.Concurrent;
using System.Security.Cryptography;
using OrleansKms.Crypto;
using OrleansKms.KeyStores;
using OrleansKms.KeyStores.Xks;

namespace OrleansKms.Grains.KeyStores;

/// <summary>
/// One per silo: the cryptography of keys in custom key stores, for the crypto path. An HSM key encrypts and decrypts
/// inside its token (AES-256-GCM over the blob's header and the encryption context); a key in an external key store
/// is double-encrypted, under its own material here and its external key at the proxy. Either way the result is a
/// <see cref="KeyStoreCiphertext"/>. How a store is reached is fetched from its grain and kept for a few seconds; an
/// open token handle is kept per store and connection version. Whether a key may be used at all (its store
/// connected) is its snapshot's state, decided by its KeyGrain.
/// </summary>
public sealed class KeyStoreCrypto(IGrainFactory grains, XksProxyClient xks, [Microsoft.Extensions.DependencyInjection.FromKeyedServices(KmsTime.ServiceKey)] TimeProvider time)
    : IDisposable
{
    private static readonly TimeSpan ConnectionLifetime = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, Reach> _reach = new(StringComparer.Ordinal);

    public async ValueTask<byte[]> EncryptAsync(CachedKey key, byte[] plaintext, IReadOnlyDictionary<string, string>? context, KmsCaller caller, string operation)
    {
        var binding = key.Snapshot.KeyStore!;
        var header = KeyStoreCiphertext.Header(key.Arn.KeyId, key.CurrentKeyMaterialId!);
        var aad = KeyStoreCiphertext.AssociatedData(header, context);
        var reach = await ReachAsync(key.Arn, binding);
        byte[] payload;
        if (binding.Type == KeyStoreValues.CloudHsm)
        {
            payload = InToken(() => reach.Token!.Encrypt(binding.ExternalKeyId, plaintext, aad));
        }
        else
        {
            var own = key.Symmetric?.Current.Material ?? throw Unavailable(key.Arn);
            payload = await XksDoubleEncryption.EncryptAsync(own, plaintext, aad, xks, reach.Proxy!, binding.ExternalKeyId, Metadata(key, caller, operation), CancellationToken.None);
        }

        return KeyStoreCiphertext.Compose(header, payload);
    }

    public async ValueTask<byte[]> DecryptAsync(CachedKey key, KeyStoreCiphertext blob, IReadOnlyDictionary<string, string>? context, KmsCaller caller, string operation)
    {
        var binding = key.Snapshot.KeyStore!;
        if (blob.MaterialId != key.CurrentKeyMaterialId && binding.Type == KeyStoreValues.CloudHsm) throw KmsException.InvalidCiphertext();
        var aad = blob.AssociatedData(context);
        var reach = await ReachAsync(key.Arn, binding);
        if (binding.Type == KeyStoreValues.CloudHsm)
        {
            try
            {
                return InToken(() => reach.Token!.Decrypt(binding.ExternalKeyId, blob.Payload.Span, aad));
            }
            catch (CryptographicException)
            {
                throw KmsException.InvalidCiphertext();
            }
        }

        var own = key.Symmetric?.Find(Convert.FromHexString(blob.MaterialId))?.Material ?? throw KmsException.InvalidCiphertext();
        return await XksDoubleEncryption.DecryptAsync(own, blob.Payload.ToArray(), aad, xks, reach.Proxy!, binding.ExternalKeyId, Metadata(key, caller, operation), CancellationToken.None);
    }

    private static XksRequestMetadata Metadata(CachedKey key, KmsCaller caller, string operation) =>
        new(operation, Guid.NewGuid().ToString(), caller.PrincipalArn, key.Arn.Value);

    /// <summary>Runs a token operation; a token that fails (gone, logged out) is KMSInvalidStateException, as for an unreachable HSM.</summary>
    private static byte[] InToken(Func<byte[]> operation)
    {
        try
        {
            return operation();
        }
        catch (Exception e) when (e is InvalidOperationException or KeyNotFoundException or NotSupportedException)
        {
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"The key's material in its custom key store could not be used: {e.Message}");
        }
    }

    private static KmsException Unavailable(KeyArn arn) => new(KmsErrorCode.KMSInvalidStateException, $"{arn} is unavailable.");

    private async ValueTask<Reach> ReachAsync(KeyArn arn, KeyStoreBinding binding)
    {
        var storeKey = $"{arn.AccountId}/{arn.Region}/{binding.CustomKeyStoreId}";
        var now = time.GetTimestamp();
        if (_reach.TryGetValue(storeKey, out var known) && time.GetElapsedTime(known.FetchedAt, now) < ConnectionLifetime) return known;
        var connection = await grains.GetGrain<ICustomKeyStoreGrain>(storeKey).GetConnectionAsync();
        if (!connection.Connected) throw Unavailable(arn);
        if (known is not null && known.Version == connection.Version)
        {
            var renewed = known with { FetchedAt = now };
            _reach[storeKey] = renewed;
            return renewed;
        }

        var reach = Open(connection, arn.Region, now);
        if (_reach.TryGetValue(storeKey, out var replaced)) replaced.Token?.Dispose();
        _reach[storeKey] = reach;
        return reach;
    }

    private static Reach Open(KeyStoreConnection connection, string region, long now)
    {
        if (connection.Type == KeyStoreValues.CloudHsm)
        {
            try
            {
                return new Reach(connection.Version, now, Pkcs11Tokens.Open(connection.ModulePath!, connection.TokenLabel!, connection.Pin!), null);
            }
            catch (InvalidOperationException e)
            {
                throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"The custom key store {connection.CustomKeyStoreId} cannot be reached: {e.Message}");
            }
        }

        var x = connection.Xks!;
        return new Reach(connection.Version, now, null, new XksProxyConnection(new Uri(x.UriEndpoint), x.UriPath, x.AccessKeyId, connection.XksSecretAccessKey!, region));
    }

    public void Dispose()
    {
        foreach (var reach in _reach.Values) reach.Token?.Dispose();
        _reach.Clear();
    }

    private sealed record Reach(long Version, long FetchedAt, IHsmToken? Token, XksProxyConnection? Proxy);
}
