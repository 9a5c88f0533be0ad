namespace OrleansKms.Hosting;

/// <summary>Settings of the KMS grains in a silo, as <see cref="KmsSiloBuilderExtensions.AddKms"/> takes them.</summary>
public sealed class KmsOptions
{
    /// <summary>The region of this silo's keys. Default <c>us-east-1</c>.</summary>
    public string Region { get; set; } = KmsOptionsDefaults.Region;

    /// <summary>
    /// Azure Storage connection string for key state (an Azure Storage account, or Azurite). Null (the default)
    /// keeps key state in memory: volatile, and said so loudly at start-up.
    /// </summary>
    public string? AzureStorageConnectionString { get; set; }

    /// <summary>
    /// Options of the table client for key state (retries, diagnostics, pipeline policies). Default: the Azure SDK's.
    /// The service's own Azurite sets a policy that journals every write.
    /// </summary>
    public Azure.Data.Tables.TableClientOptions? TableClientOptions { get; set; }

    /// <summary>Name of the table that holds key state. Default <c>kmskeys</c>.</summary>
    public string TableName { get; set; } = KmsOptionsDefaults.TableName;

    /// <summary>
    /// Where the region's root key (the key-encryption key that wraps all key material at rest) comes from.
    /// Default: the environment variable <see cref="RootKeyVariable"/> (base64 of 32 bytes) if set, else
    /// <see cref="RootKeyFile"/>, else <see cref="RootKeyFileName"/> in <see cref="DataDirectory"/> (generated with mode 0600 on
    /// first start), else a new random key that lives only as long as the process.
    /// </summary>
    public string? RootKeyFile { get; set; }

    /// <summary>The data directory for the generated development root key. Default none.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The environment variable the root key may come from. Default <c>KMS_ROOT_KEY</c>.</summary>
    public string RootKeyVariable { get; set; } = KmsOptionsDefaults.RootKeyVariable;

    /// <summary>The name of the generated development root key's file in <see cref="DataDirectory"/>. Default <c>root.key</c>.</summary>
    public string RootKeyFileName { get; set; } = KmsOptionsDefaults.RootKeyFileName;

    /// <summary>
    /// The silo's pool of pre-generated RSA keys for CreateKey, GetParametersForImport and GenerateDataKeyPair: keys kept ready per size
    /// (default 8 RSA_2048, 4 RSA_3072, 4 RSA_4096), filled in the background at a low CPU priority.
    /// </summary>
    public Grains.KeyPool.RsaKeyPoolOptions RsaKeyPool { get; } = new();
}

internal static class KmsOptionsDefaults
{
    public const string Region = "us-east-1";
    public const string TableName = "kmskeys";
    public const string RootKeyVariable = "KMS_ROOT_KEY";
    public const string RootKeyFileName = "root.key";
}
