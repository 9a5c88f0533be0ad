using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansKms.Crypto;
using OrleansKms.KeyStores;
using OrleansKms.KeyStores.Xks;

namespace OrleansKms.Grains.KeyStores;

/// <summary>
/// One custom key store (grain key <c>ACCOUNT/REGION/cks-...</c>). An AWS_CLOUDHSM store is a PKCS#11 token: its
/// CloudHsmClusterId is the token's label in the configured module, its KeyStorePassword the token's user PIN (AWS's
/// kmsuser password). An EXTERNAL_KEY_STORE is an XKS proxy. Secrets are stored wrapped under the Region's root key.
/// Connection states and rules as AWS: keys are created only while CONNECTED, are Unavailable while the store is not,
/// and a store is deleted only when DISCONNECTED and empty.
/// </summary>
public sealed partial class CustomKeyStoreGrain(
    [PersistentState("keystore", KmsGrainOptionsDefaults.StorageName)] IPersistentState<StoredKeyStore> state,
    IKeyMaterialProtector protector,
    XksProxyClient xks,
    IOptions<KmsGrainOptions> options,
    [Microsoft.Extensions.DependencyInjection.FromKeyedServices(KmsTime.ServiceKey)] TimeProvider time,
    ILogger<CustomKeyStoreGrain> logger) : Grain, ICustomKeyStoreGrain
{
    private const string PasswordPurpose = "custom-key-store-password";
    private const string XksSecretPurpose = "custom-key-store-xks-secret";

    private (string Account, string Region, string Id) Name
    {
        get
        {
            var parts = this.GetPrimaryKeyString().Split('/', 3);
            return (parts[0], parts[1], parts[2]);
        }
    }

    private KeyArn SecretBinding => new(Name.Region, Name.Account, Name.Id);

    private ICustomKeyStoreCatalogGrain Catalog => GrainFactory.GetGrain<ICustomKeyStoreCatalogGrain>($"{Name.Account}/{Name.Region}");

    private string ModulePath => options.Value.Pkcs11ModulePath ?? Pkcs11Tokens.SoftHsmModule
        ?? throw new KmsException(KmsErrorCode.CloudHsmClusterNotFoundException, "No PKCS#11 module is configured for AWS_CLOUDHSM key stores (--pkcs11-module), and SoftHSM2 is not installed.");

    public async Task<CustomKeyStoreInfo> CreateAsync(CreateCustomKeyStoreCommand command)
    {
        if (state.State.Exists) throw new KmsException(KmsErrorCode.CustomKeyStoreNameInUseException, $"Custom key store {Name.Id} already exists.");
        var next = new StoredKeyStore { Exists = true, Name = command.Name, Type = command.Type, CreationDate = time.GetUtcNow() };
        string binding;
        if (command.Type == KeyStoreValues.CloudHsm)
        {
            CheckTrustAnchor(command.TrustAnchorCertificate!);
            CheckClusterExists(command.CloudHsmClusterId!, command.KeyStorePassword!);
            next.CloudHsmClusterId = command.CloudHsmClusterId;
            next.TrustAnchorCertificate = command.TrustAnchorCertificate;
            next.WrappedPassword = Wrap(command.KeyStorePassword!, PasswordPurpose);
            binding = Bindings.OfCluster(command.CloudHsmClusterId!);
        }
        else
        {
            var proxy = XksProxyConnection.Validate(command.Xks!.Connectivity, command.Xks.UriEndpoint, command.Xks.UriPath,
                command.Xks.AccessKeyId, command.XksSecretAccessKey, Name.Region);
            await xks.GetHealthAsync(proxy, XksRequestMetadata.ForHealthCheck("CreateCustomKeyStore", Guid.NewGuid().ToString()), CancellationToken.None);
            next.Xks = command.Xks;
            next.WrappedXksSecret = Wrap(command.XksSecretAccessKey!, XksSecretPurpose);
            binding = Bindings.OfProxy(command.Xks.UriEndpoint, command.Xks.UriPath);
        }

        await Catalog.AddAsync(Name.Id, command.Name, binding);
        state.State = next;
        await state.WriteStateAsync();
        logger.LogInformation("Created custom key store {StoreId} ({Type})", Name.Id, next.Type);
        return Info();
    }

    public Task<CustomKeyStoreInfo> DescribeAsync(KmsCaller caller) => Task.FromResult(Info(Existing()));

    public async Task UpdateAsync(UpdateCustomKeyStoreCommand command)
    {
        var current = Existing();
        var next = current.Clone();
        var connectionChanges = command.KeyStorePassword is not null || command.CloudHsmClusterId is not null || command.XksUriEndpoint is not null
            || command.XksUriPath is not null || command.XksConnectivity is not null || command.XksAccessKeyId is not null || command.XksSecretAccessKey is not null;
        if (connectionChanges && current.ConnectionState != KeyStoreValues.Disconnected)
            throw InvalidState($"Custom key store {Name.Id} must be disconnected to change how it is reached; it is {current.ConnectionState}.");
        if (current.Type == KeyStoreValues.CloudHsm) UpdateHsm(current, next, command);
        else await UpdateXksAsync(current, next, command);
        if (command.NewName is { } name) await Catalog.RenameAsync(Name.Id, name);
        next.Name = command.NewName ?? next.Name;
        if (connectionChanges) next.Version++;
        state.State = next;
        await state.WriteStateAsync();
    }

    private void UpdateHsm(StoredKeyStore current, StoredKeyStore next, UpdateCustomKeyStoreCommand command)
    {
        if (command.XksUriEndpoint is not null || command.XksUriPath is not null || command.XksAccessKeyId is not null || command.XksConnectivity is not null)
            throw KmsException.Validation($"Custom key store {Name.Id} is an AWS_CLOUDHSM key store: it has no XKS proxy settings.");
        if (command.CloudHsmClusterId is { } cluster && cluster != current.CloudHsmClusterId)
            throw new KmsException(KmsErrorCode.CloudHsmClusterNotRelatedException,
                $"The AWS CloudHSM cluster {cluster} is not related to {current.CloudHsmClusterId}, the cluster of custom key store {Name.Id}.");
        if (command.KeyStorePassword is { } password) next.WrappedPassword = Wrap(password, PasswordPurpose);
    }

    private async Task UpdateXksAsync(StoredKeyStore current, StoredKeyStore next, UpdateCustomKeyStoreCommand command)
    {
        if (command.KeyStorePassword is not null || command.CloudHsmClusterId is not null)
            throw KmsException.Validation($"Custom key store {Name.Id} is an EXTERNAL_KEY_STORE: it has no CloudHSM cluster or key store password.");
        var settings = current.Xks!;
        var merged = new XksProxySettings(command.XksConnectivity ?? settings.Connectivity, command.XksUriEndpoint ?? settings.UriEndpoint,
            command.XksUriPath ?? settings.UriPath, command.XksAccessKeyId ?? settings.AccessKeyId);
        if (merged == settings && command.XksSecretAccessKey is null) return;
        var secret = command.XksSecretAccessKey ?? Unwrap(current.WrappedXksSecret!, XksSecretPurpose);
        var proxy = XksProxyConnection.Validate(merged.Connectivity, merged.UriEndpoint, merged.UriPath, merged.AccessKeyId, secret, Name.Region);
        await xks.GetHealthAsync(proxy, XksRequestMetadata.ForHealthCheck("UpdateCustomKeyStore", Guid.NewGuid().ToString()), CancellationToken.None);
        await Catalog.RebindAsync(Name.Id, Bindings.OfProxy(merged.UriEndpoint, merged.UriPath));
        next.Xks = merged;
        if (command.XksSecretAccessKey is not null) next.WrappedXksSecret = Wrap(command.XksSecretAccessKey, XksSecretPurpose);
    }

    public async Task DeleteAsync(KmsCaller caller)
    {
        var current = Existing();
        if (current.ConnectionState != KeyStoreValues.Disconnected)
            throw InvalidState($"Custom key store {Name.Id} must be disconnected before it is deleted; it is {current.ConnectionState}.");
        if (current.Keys.Count > 0)
            throw new KmsException(KmsErrorCode.CustomKeyStoreHasCMKsException,
                $"Custom key store {Name.Id} has {current.Keys.Count} KMS key(s). Delete them (ScheduleKeyDeletion, then wait) before deleting the store.");
        await Catalog.RemoveAsync(Name.Id);
        await state.ClearStateAsync();
        state.State = new StoredKeyStore();
        logger.LogInformation("Deleted custom key store {StoreId}", Name.Id);
    }

    private StoredKeyStore Existing() =>
        state.State.Exists ? state.State : throw new KmsException(KmsErrorCode.CustomKeyStoreNotFoundException, $"Custom key store {Name.Id} does not exist.");

    private static KmsException InvalidState(string message) => new(KmsErrorCode.CustomKeyStoreInvalidStateException, message);

    private CustomKeyStoreInfo Info(StoredKeyStore? s = null)
    {
        s ??= state.State;
        return new CustomKeyStoreInfo
        {
            CustomKeyStoreId = Name.Id,
            CustomKeyStoreName = s.Name,
            CustomKeyStoreType = s.Type,
            ConnectionState = s.ConnectionState,
            ConnectionErrorCode = s.ConnectionState == KeyStoreValues.Failed ? s.ConnectionErrorCode : null,
            CreationDate = s.CreationDate,
            CloudHsmClusterId = s.CloudHsmClusterId,
            TrustAnchorCertificate = s.TrustAnchorCertificate,
            XksProxyConfiguration = s.Xks,
        };
    }

    /// <summary>The trust anchor must be a certificate (PEM), as a CloudHSM cluster's is; else IncorrectTrustAnchorException.</summary>
    private static void CheckTrustAnchor(string pem)
    {
        try
        {
            using var _ = X509Certificate2.CreateFromPem(pem);
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            throw new KmsException(KmsErrorCode.IncorrectTrustAnchorException,
                "The content of TrustAnchorCertificate is not a PEM-encoded X.509 certificate, as the cluster's trust anchor certificate is.");
        }
    }

    private byte[] Wrap(string secret, string purpose)
    {
        using var bytes = SecretBytes.TakeOwnership(Encoding.UTF8.GetBytes(secret));
        return protector.Wrap(bytes, SecretBinding, purpose);
    }

    private string Unwrap(byte[] wrapped, string purpose)
    {
        using var bytes = protector.Unwrap(new WrappedKeyMaterial(purpose, wrapped, default), SecretBinding);
        return Encoding.UTF8.GetString(bytes.Expose());
    }
}
