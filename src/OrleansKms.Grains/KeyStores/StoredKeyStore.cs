namespace OrleansKms.Grains.KeyStores;

/// <summary>The stored state of one custom key store. Its secrets are only ever here wrapped under the Region's root key.</summary>
[GenerateSerializer]
public sealed class StoredKeyStore
{
    [Id(0)] public bool Exists { get; set; }
    [Id(1)] public string Name { get; set; } = "";
    [Id(2)] public string Type { get; set; } = KeyStoreValues.CloudHsm;
    [Id(3)] public DateTimeOffset CreationDate { get; set; }
    [Id(4)] public string? CloudHsmClusterId { get; set; }
    [Id(5)] public string? TrustAnchorCertificate { get; set; }

    /// <summary>The HSM user's PIN (AWS's kmsuser password), wrapped.</summary>
    [Id(6)] public byte[]? WrappedPassword { get; set; }
    [Id(7)] public XksProxySettings? Xks { get; set; }

    /// <summary>The XKS proxy credential's secret access key, wrapped.</summary>
    [Id(8)] public byte[]? WrappedXksSecret { get; set; }
    [Id(9)] public string ConnectionState { get; set; } = KeyStoreValues.Disconnected;
    [Id(10)] public string? ConnectionErrorCode { get; set; }

    /// <summary>The keys of the store: KMS key id and its id in the key manager (the token key's label, the XKS key id).</summary>
    [Id(11)] public List<StoreKey> Keys { get; set; } = [];

    /// <summary>Grows with every change of how the key manager is reached (connect, disconnect, new settings).</summary>
    [Id(12)] public long Version { get; set; }

    public StoredKeyStore Clone()
    {
        var copy = (StoredKeyStore)MemberwiseClone();
        copy.Keys = [.. Keys];
        return copy;
    }
}

/// <summary>One key of a custom key store.</summary>
[GenerateSerializer, Immutable]
public sealed record StoreKey([property: Id(0)] string KeyId, [property: Id(1)] string ExternalKeyId);

/// <summary>The custom key stores of one account and Region: id, name and what each is bound to (an HSM cluster, an XKS proxy URI).</summary>
[GenerateSerializer]
public sealed class StoredKeyStoreCatalog
{
    [Id(0)] public List<CatalogEntry> Stores { get; set; } = [];
}

[GenerateSerializer, Immutable]
public sealed record CatalogEntry([property: Id(0)] string StoreId, [property: Id(1)] string Name, [property: Id(2)] string Binding);
