namespace OrleansKms;

/// <summary>Wire values of custom key stores.</summary>
public static class KeyStoreValues
{
    public const string CloudHsm = "AWS_CLOUDHSM";
    public const string External = "EXTERNAL_KEY_STORE";
    public const string Connected = "CONNECTED";
    public const string Connecting = "CONNECTING";
    public const string Failed = "FAILED";
    public const string Disconnected = "DISCONNECTED";
    public const string OriginCloudHsm = "AWS_CLOUDHSM";
    public const string OriginExternalKeyStore = "EXTERNAL_KEY_STORE";
    public const string IdPrefix = "cks-";

    /// <summary>A new custom key store id, as AWS forms them: <c>cks-</c> and 17 hex digits.</summary>
    public static string NewId() => IdPrefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(9))[..17];
}

/// <summary>An external key store's proxy as the store knows it (the secret is never shown).</summary>
[GenerateSerializer, Immutable]
public sealed record XksProxySettings(
    [property: Id(0)] string Connectivity,
    [property: Id(1)] string UriEndpoint,
    [property: Id(2)] string UriPath,
    [property: Id(3)] string AccessKeyId);

/// <summary>DescribeCustomKeyStores' entry for one store.</summary>
[GenerateSerializer, Immutable]
public sealed record CustomKeyStoreInfo
{
    [Id(0)] public required string CustomKeyStoreId { get; init; }
    [Id(1)] public required string CustomKeyStoreName { get; init; }
    [Id(2)] public required string CustomKeyStoreType { get; init; }
    [Id(3)] public required string ConnectionState { get; init; }
    [Id(4)] public string? ConnectionErrorCode { get; init; }
    [Id(5)] public required DateTimeOffset CreationDate { get; init; }
    [Id(6)] public string? CloudHsmClusterId { get; init; }
    [Id(7)] public string? TrustAnchorCertificate { get; init; }
    [Id(8)] public XksProxySettings? XksProxyConfiguration { get; init; }
}

/// <summary>What CreateCustomKeyStore asks (the secrets only on their way into the store, which keeps them wrapped).</summary>
[GenerateSerializer, Immutable]
public sealed record CreateCustomKeyStoreCommand
{
    [Id(0)] public required KmsCaller Caller { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public string Type { get; init; } = KeyStoreValues.CloudHsm;
    [Id(3)] public string? CloudHsmClusterId { get; init; }
    [Id(4)] public string? TrustAnchorCertificate { get; init; }
    [Id(5)] public string? KeyStorePassword { get; init; }
    [Id(6)] public XksProxySettings? Xks { get; init; }
    [Id(7)] public string? XksSecretAccessKey { get; init; }
}

/// <summary>What UpdateCustomKeyStore asks: each member null when not changed.</summary>
[GenerateSerializer, Immutable]
public sealed record UpdateCustomKeyStoreCommand
{
    [Id(0)] public required KmsCaller Caller { get; init; }
    [Id(1)] public string? NewName { get; init; }
    [Id(2)] public string? KeyStorePassword { get; init; }
    [Id(3)] public string? CloudHsmClusterId { get; init; }
    [Id(4)] public string? XksUriEndpoint { get; init; }
    [Id(5)] public string? XksUriPath { get; init; }
    [Id(6)] public string? XksConnectivity { get; init; }
    [Id(7)] public string? XksAccessKeyId { get; init; }
    [Id(8)] public string? XksSecretAccessKey { get; init; }
}

/// <summary>
/// What a silo needs to reach a store's key manager: the PKCS#11 token (module, token label, PIN) or the XKS proxy
/// (endpoint, path, credential). Crosses grain calls inside the cluster only; never stored or logged in clear.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KeyStoreConnection
{
    [Id(0)] public required string CustomKeyStoreId { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public required bool Connected { get; init; }
    [Id(3)] public required long Version { get; init; }
    [Id(4)] public string? ModulePath { get; init; }
    [Id(5)] public string? TokenLabel { get; init; }
    [Id(6)] public string? Pin { get; init; }
    [Id(7)] public XksProxySettings? Xks { get; init; }
    [Id(8)] public string? XksSecretAccessKey { get; init; }

    public override string ToString() => $"KeyStoreConnection {{ {CustomKeyStoreId}, {Type}, Connected = {Connected}, Version = {Version} }}";
}

/// <summary>A key's place in a custom key store: the store, its type, and the key's id in the store's key manager.</summary>
[GenerateSerializer, Immutable]
public sealed record KeyStoreBinding(
    [property: Id(0)] string CustomKeyStoreId,
    [property: Id(1)] string Type,
    [property: Id(2)] string ExternalKeyId,
    [property: Id(3)] string? CloudHsmClusterId);

/// <summary>
/// One custom key store (grain key: <c>ACCOUNT/REGION/cks-...</c>): its settings, secrets (wrapped under the Region's
/// root key at rest), connection state, and the keys it holds.
/// </summary>
public interface ICustomKeyStoreGrain : IGrainWithStringKey
{
    Task<CustomKeyStoreInfo> CreateAsync(CreateCustomKeyStoreCommand command);

    Task<CustomKeyStoreInfo> DescribeAsync(KmsCaller caller);

    Task UpdateAsync(UpdateCustomKeyStoreCommand command);

    Task ConnectAsync(KmsCaller caller);

    Task DisconnectAsync(KmsCaller caller);

    Task DeleteAsync(KmsCaller caller);

    /// <summary>
    /// A new key of this store: the store must be connected; for an HSM store the key is generated in the token,
    /// for an external store <paramref name="externalKeyId"/> is checked with the proxy. Answers the key's binding.
    /// </summary>
    Task<KeyStoreBinding> CreateKeyAsync(string keyId, string? externalKeyId, string principalArn);

    /// <summary>The key was deleted (end of its waiting period): its material in the key manager goes too, if reachable.</summary>
    Task RemoveKeyAsync(string keyId);

    /// <summary>GenerateRandom with CustomKeyStoreId: bytes from the store's HSM (CustomKeyStoreInvalidStateException unless connected).</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<byte[]> GenerateRandomAsync(KmsCaller caller, int count);

    /// <summary>How a silo reaches the key manager; <see cref="KeyStoreConnection.Connected"/> false while disconnected.</summary>
    [Orleans.Concurrency.AlwaysInterleave]
    Task<KeyStoreConnection> GetConnectionAsync();
}

/// <summary>The custom key stores of one account and Region (grain key: <c>ACCOUNT/REGION</c>): names, ids, what each is bound to.</summary>
public interface ICustomKeyStoreCatalogGrain : IGrainWithStringKey
{
    /// <summary>Registers a store; CustomKeyStoreNameInUseException, CloudHsmClusterInUseException or XksProxyUriInUseException if taken.</summary>
    Task AddAsync(string storeId, string name, string binding);

    Task RenameAsync(string storeId, string newName);

    Task RebindAsync(string storeId, string binding);

    Task RemoveAsync(string storeId);

    /// <summary>Store ids in creation order; with <paramref name="name"/> only that store.</summary>
    Task<IReadOnlyList<string>> ListAsync(string? name);
}

public partial interface IKeyGrain
{
    /// <summary>The key's custom key store connected or disconnected: the key is Unavailable while it is disconnected.</summary>
    Task KeyStoreConnectionChangedAsync(bool connected);
}
