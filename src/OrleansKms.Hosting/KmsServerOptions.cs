using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Hosting;

/// <summary>Where key state lives.</summary>
public enum KmsStorageMode
{
    /// <summary>Azurite started by the service itself, data in the data directory (the default).</summary>
    Azurite,

    /// <summary>Volatile memory: keys vanish when the process stops. For demos and fast tests only.</summary>
    Memory,

    /// <summary>An Azure Storage account (or any Azurite) named by a connection string.</summary>
    AzureStorage,
}

/// <summary>Settings of a whole KMS server: one silo with the gateway co-hosted.</summary>
public sealed class KmsServerOptions
{
    /// <summary>Gateway port. Default 4566 (LocalStack's, so existing configurations work); 0 picks a free one.</summary>
    public int Port { get; set; } = 4566;

    /// <summary>Gateway listen address. Default 127.0.0.1.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// The home Region: started with the server, where a seed goes, and the one whose silo uses
    /// <see cref="SiloPort"/> and <see cref="SiloGatewayPort"/>. Default us-east-1.
    /// </summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The Regions served (each started on its first request). Default null: every AWS Region (<see cref="AwsRegions.All"/>).</summary>
    public IReadOnlyList<string>? Regions { get; set; }

    /// <summary>Data directory: Azurite's data and the development root key. Default <c>./.kms-data</c>.</summary>
    public string DataDirectory { get; set; } = ".kms-data";

    /// <summary>Storage mode. Default <see cref="KmsStorageMode.Azurite"/>; a connection string implies AzureStorage.</summary>
    public KmsStorageMode Storage { get; set; } = KmsStorageMode.Azurite;

    /// <summary>Azure Storage connection string (no Azurite is started when it is set).</summary>
    public string? StorageConnectionString { get; set; }

    /// <summary>
    /// With the service's own Azurite: the size of Azurite's saved table database, in bytes, at which CreateKey,
    /// ReplicateKey, CreateAlias, CreateGrant and CreateCustomKeyStore are refused (LimitExceededException), so that it
    /// never grows past what Azurite can hold in memory (<see cref="Durability.AzuriteCapacityGate"/>). Default two fifths
    /// of the heap Azurite is given (<see cref="Azurite.AzuriteProcess.HeapLimitBytes"/>: two fifths of this machine's
    /// memory, at least 4 GiB): 4.0 GB on a 24 GiB machine, about 1.9 million keys.
    /// </summary>
    public long AzuriteFullAt { get; set; } = Durability.AzuriteCapacityGate.DefaultFullAt;

    /// <summary>
    /// Regions other servers serve, by their gateway URL (<c>--region-peer eu-west-1=http://kms-eu:4566</c>): multi-Region
    /// keys replicate to and from them over authenticated Region links. Default none.
    /// </summary>
    public IDictionary<string, Uri> RegionPeers { get; } = new Dictionary<string, Uri>(StringComparer.Ordinal);

    /// <summary>
    /// The Region link secret (base64 of 32 bytes) that servers of one deployment share to replicate multi-Region
    /// keys. Default: <c>KMS_REGION_LINK_KEY</c>, else <c>region-link.key</c> in the data directory.
    /// </summary>
    public string? RegionLinkKeyFile { get; set; }

    /// <summary>
    /// The PKCS#11 module of AWS_CLOUDHSM custom key stores (a store's CloudHsmClusterId is a token's label in it).
    /// Default: SoftHSM2's module when installed.
    /// </summary>
    public string? Pkcs11ModulePath { get; set; }

    /// <summary>Identities file (JSON); default the development identity (access key test, secret test).</summary>
    public string? IdentitiesFile { get; set; }

    /// <summary>
    /// Root key file (base64 of 32 bytes). A path with <c>{region}</c> names every Region's file; without it the file
    /// is us-east-1's. Default: <c>root.key</c> (us-east-1) and <c>root-REGION.key</c> in the data directory.
    /// </summary>
    public string? RootKeyFile { get; set; }

    /// <summary>Orleans silo-to-silo port. Default 11111.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans client gateway port. Default 30000.</summary>
    public int SiloGatewayPort { get; set; } = 30000;

    /// <summary>Orleans cluster id of us-east-1; other Regions add <c>-REGION</c>. Silos with the same id and storage form one cluster. Default orleans-kms.</summary>
    public string ClusterId { get; set; } = "orleans-kms";

    /// <summary>Orleans service id of us-east-1; other Regions add <c>-REGION</c>. Keep it stable or stored state is not found. Default orleans-kms.</summary>
    public string ServiceId { get; set; } = "orleans-kms";

    /// <summary>Address other silos reach this one at (IP or host name). Default loopback.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Turns on the development admin surface (<c>POST /_kms/reset</c>, <c>POST /_kms/seed</c>). Default off.</summary>
    public bool DevAdmin { get; set; }

    /// <summary>A seed file (YAML or JSON) applied at start: keys with fixed ids, material, aliases. Default none.</summary>
    public string? SeedFile { get; set; }

    /// <summary>
    /// Request quotas: <c>aws</c> enforces AWS's default per-account, per-Region request rates (ThrottlingException
    /// over them); a path names a JSON file of quota name to requests per second. Default none (no throttling).
    /// </summary>
    public string? Quotas { get; set; }

    /// <summary>
    /// Whether every request is recorded in the audit trail (the kmsaudit* tables, <c>kms audit</c>). Default true;
    /// <c>--audit off</c> turns it off (then <c>kms audit</c> finds nothing and no table is written).
    /// </summary>
    public bool Audit { get; set; } = true;

    /// <summary>
    /// After this long with (almost) no work following busier work, the process runs one full garbage collection that
    /// gives free memory back to the operating system (<see cref="IdleMemoryTrim"/>). Default 2 minutes. Dropping idle
    /// keys from the caches and collecting idle key grains is itself work, so once they are done and the process is
    /// quiet again, it trims again: what they let go is returned too. Null: never.
    /// </summary>
    public TimeSpan? IdleMemoryTrim { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// OpenTelemetry: traces, metrics and logs (audit records included, category OrleansKms.Audit) are exported over
    /// OTLP to this endpoint. Default the <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> environment variable; null: no export.
    /// The protocol follows <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> (grpc by default, or http/protobuf).
    /// </summary>
    public Uri? OtlpEndpoint { get; set; } = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } endpoint &&
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri : null;

    /// <summary>The OTLP protocol: <c>grpc</c> or <c>http/protobuf</c>. Default <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, else grpc.</summary>
    public string? OtlpProtocol { get; set; } = Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL");

    /// <summary>Lowest log level written to the console. Default Information.</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>
    /// The pool of pre-generated RSA keys that CreateKey, GetParametersForImport and GenerateDataKeyPair take from (one per process, shared
    /// by its Regions): keys kept ready per size, filled in the background at a low CPU priority. Default 8
    /// RSA_2048, 4 RSA_3072, 4 RSA_4096; <c>--rsa-key-pool off</c> turns it off.
    /// </summary>
    public Grains.KeyPool.RsaKeyPoolOptions RsaKeyPool { get; set; } = new();

    /// <summary>Extra service registrations (tests use it for a fake clock).</summary>
    public Action<IServiceCollection>? ConfigureServices { get; set; }

    internal KmsStorageMode EffectiveStorage => StorageConnectionString is not null ? KmsStorageMode.AzureStorage : Storage;
}
