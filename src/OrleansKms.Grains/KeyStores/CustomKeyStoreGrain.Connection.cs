using Microsoft.Extensions.Logging;
using OrleansKms.KeyStores;
using OrleansKms.KeyStores.Xks;

namespace OrleansKms.Grains.KeyStores;

/// <summary>Connecting and disconnecting a custom key store, its keys in the key manager, and how silos reach it.</summary>
public sealed partial class CustomKeyStoreGrain
{
    public async Task ConnectAsync(KmsCaller caller)
    {
        var current = Existing();
        if (current.ConnectionState == KeyStoreValues.Connected) return;
        var next = current.Clone();
        var error = current.Type == KeyStoreValues.CloudHsm ? TryLogin(current) : await TryProxyAsync(current);
        next.ConnectionState = error is null ? KeyStoreValues.Connected : KeyStoreValues.Failed;
        next.ConnectionErrorCode = error;
        next.Version++;
        state.State = next;
        await state.WriteStateAsync();
        logger.LogInformation("Custom key store {StoreId}: {State} {Error}", Name.Id, next.ConnectionState, error);
        if (error is null) await TellKeysAsync(connected: true);
    }

    public async Task DisconnectAsync(KmsCaller caller)
    {
        var current = Existing();
        if (current.ConnectionState == KeyStoreValues.Disconnected) return;
        var wasConnected = current.ConnectionState == KeyStoreValues.Connected;
        var next = current.Clone();
        next.ConnectionState = KeyStoreValues.Disconnected;
        next.ConnectionErrorCode = null;
        next.Version++;
        state.State = next;
        await state.WriteStateAsync();
        if (wasConnected) await TellKeysAsync(connected: false);
    }

    /// <summary>Each key of the store learns the new connection state (Unavailable while disconnected) and republishes its snapshot.</summary>
    private async Task TellKeysAsync(bool connected)
    {
        foreach (var key in state.State.Keys)
            await GrainFactory.GetGrain<IKeyGrain>(new KeyArn(Name.Region, Name.Account, key.KeyId).Value).KeyStoreConnectionChangedAsync(connected);
    }

    public async Task<KeyStoreBinding> CreateKeyAsync(string keyId, string? externalKeyId, string principalArn)
    {
        var current = Existing();
        if (current.ConnectionState != KeyStoreValues.Connected)
            throw InvalidState($"Custom key store {Name.Id} is {current.ConnectionState}: connect it (ConnectCustomKeyStore) before creating keys in it.");
        if (current.Keys.Find(k => k.KeyId == keyId) is { } known) return Binding(known);
        StoreKey key;
        if (current.Type == KeyStoreValues.CloudHsm)
        {
            using var token = OpenToken(current);
            token.GenerateAesKey(keyId);
            key = new StoreKey(keyId, keyId);
        }
        else
        {
            if (current.Keys.Any(k => k.ExternalKeyId == externalKeyId))
                throw new KmsException(KmsErrorCode.XksKeyAlreadyInUseException, $"The external key {externalKeyId} is already associated with a KMS key in custom key store {Name.Id}.");
            var metadata = await xks.GetKeyMetadataAsync(Proxy(current), externalKeyId!, new XksRequestMetadata("CreateKey", Guid.NewGuid().ToString(), principalArn), CancellationToken.None);
            metadata.EnsureUsableByKms();
            key = new StoreKey(keyId, externalKeyId!);
        }

        var next = current.Clone();
        next.Keys.Add(key);
        state.State = next;
        await state.WriteStateAsync();
        return Binding(key);
    }

    private KeyStoreBinding Binding(StoreKey key) =>
        new(Name.Id, state.State.Type, key.ExternalKeyId, state.State.Type == KeyStoreValues.CloudHsm ? state.State.CloudHsmClusterId : null);

    public async Task RemoveKeyAsync(string keyId)
    {
        var current = state.State;
        if (!current.Exists || current.Keys.Find(k => k.KeyId == keyId) is not { } key) return;
        if (current.Type == KeyStoreValues.CloudHsm && current.ConnectionState == KeyStoreValues.Connected)
        {
            try
            {
                using var token = OpenToken(current);
                if (token.HasKey(key.ExternalKeyId)) token.DeleteKey(key.ExternalKeyId);
            }
            catch (InvalidOperationException e)
            {
                // As in AWS, a key whose store cannot be reached is deleted; its material stays in the HSM (orphaned).
                logger.LogWarning("Could not delete the material of {KeyId} from custom key store {StoreId}: {Error}", keyId, Name.Id, e.Message);
            }
        }

        var next = current.Clone();
        next.Keys.RemoveAll(k => k.KeyId == keyId);
        state.State = next;
        await state.WriteStateAsync();
    }

    public Task<byte[]> GenerateRandomAsync(KmsCaller caller, int count)
    {
        var current = Existing();
        if (current.Type != KeyStoreValues.CloudHsm)
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, $"GenerateRandom with a CustomKeyStoreId needs an AWS_CLOUDHSM key store; {Name.Id} is {current.Type}.");
        if (current.ConnectionState != KeyStoreValues.Connected)
            throw InvalidState($"Custom key store {Name.Id} is {current.ConnectionState}.");
        using var token = OpenToken(current);
        return Task.FromResult(token.GenerateRandom(count));
    }

    public Task<KeyStoreConnection> GetConnectionAsync()
    {
        var s = Existing();
        return Task.FromResult(new KeyStoreConnection
        {
            CustomKeyStoreId = Name.Id,
            Type = s.Type,
            Connected = s.ConnectionState == KeyStoreValues.Connected,
            Version = s.Version,
            ModulePath = s.Type == KeyStoreValues.CloudHsm ? ModulePath : null,
            TokenLabel = s.CloudHsmClusterId,
            Pin = s.WrappedPassword is { } p ? Unwrap(p, PasswordPurpose) : null,
            Xks = s.Xks,
            XksSecretAccessKey = s.WrappedXksSecret is { } x ? Unwrap(x, XksSecretPurpose) : null,
        });
    }

    private IHsmToken OpenToken(StoredKeyStore s) => Pkcs11Tokens.Open(ModulePath, s.CloudHsmClusterId!, Unwrap(s.WrappedPassword!, PasswordPurpose));

    private XksProxyConnection Proxy(StoredKeyStore s) =>
        new(new Uri(s.Xks!.UriEndpoint), s.Xks.UriPath, s.Xks.AccessKeyId, Unwrap(s.WrappedXksSecret!, XksSecretPurpose), Name.Region);

    /// <summary>CreateCustomKeyStore's check that the cluster (a token of that label) exists; its PIN is checked by ConnectCustomKeyStore, as AWS checks kmsuser's password.</summary>
    private void CheckClusterExists(string clusterId, string password)
    {
        try
        {
            using var _ = Pkcs11Tokens.Open(ModulePath, clusterId, password);
        }
        catch (InvalidOperationException e) when (Pkcs11Failure(e) == "CLUSTER_NOT_FOUND")
        {
            throw new KmsException(KmsErrorCode.CloudHsmClusterNotFoundException, $"Cannot find the AWS CloudHSM cluster {clusterId}: no PKCS#11 token has that label.");
        }
        catch (InvalidOperationException)
        {
            // The token exists; a wrong password shows when the store connects (FAILED, INVALID_CREDENTIALS).
        }
    }

    /// <summary>Logs into the token; null on success, else AWS's ConnectionErrorCode.</summary>
    private string? TryLogin(StoredKeyStore s)
    {
        try
        {
            using var _ = OpenToken(s);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return Pkcs11Failure(e);
        }
        catch (KmsException)
        {
            return "CLUSTER_NOT_FOUND";
        }
    }

    private static string Pkcs11Failure(InvalidOperationException e) =>
        e.Message.Contains("PIN", StringComparison.Ordinal) ? "INVALID_CREDENTIALS"
        : e.Message.StartsWith("No initialized token", StringComparison.Ordinal) || e.Message.Contains("module", StringComparison.Ordinal) && e.Message.Contains("not found", StringComparison.Ordinal)
            ? "CLUSTER_NOT_FOUND"
            : "NETWORK_ERRORS";

    /// <summary>The proxy's health check; null on success, else AWS's ConnectionErrorCode.</summary>
    private async Task<string?> TryProxyAsync(StoredKeyStore s)
    {
        try
        {
            await xks.GetHealthAsync(Proxy(s), XksRequestMetadata.ForHealthCheck("ConnectCustomKeyStore", Guid.NewGuid().ToString()), CancellationToken.None);
            return null;
        }
        catch (KmsException e)
        {
            return XksErrors.TryGetFailure(e, out var failure) ? XksErrors.ConnectionErrorCode(failure) : "INTERNAL_ERROR";
        }
    }
}
