using System.Net;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Configuration;
using OrleansKms.Gateway;
using OrleansKms.Gateway.Admin;
using OrleansKms.Gateway.Audit;
using OrleansKms.Gateway.Cost;
using OrleansKms.Gateway.Auth;
using OrleansKms.Gateway.Quotas;
using OrleansKms.Gateway.Usage;
using OrleansKms.Crypto;
using OrleansKms.Gateway.Regions;
using OrleansKms.Crypto.Keys;
using OrleansKms.Grains;
using OrleansKms.Grains.KeyPool;
using OrleansKms.Hosting.Durability;
using OrleansKms.Hosting.Regions;
using OrleansKms.Policy;

namespace OrleansKms.Hosting;

/// <summary>
/// A whole KMS server, embeddable: (Azurite if asked) + one Orleans cluster per Region served (each in its own host,
/// started on first use) + the AWS KMS gateway on Kestrel in front of them.
/// The <c>silo</c> executable and the tests both start it through <see cref="StartAsync"/>.
/// </summary>
public sealed class KmsServer : IAsyncDisposable
{
    /// <summary>How many grains' locations a silo remembers (Orleans' default: 1,000,000).</summary>
    private const int DirectoryCacheSize = 20_000;

    private readonly WebApplication _app;
    private readonly RegionHosts _regions;
    private readonly DurableAzurite? _store;
    private readonly RsaKeyPool _rsaKeys;

    private KmsServer(WebApplication app, RegionHosts regions, DurableAzurite? store, RsaKeyPool rsaKeys, Uri endpoint, string storage, string homeRegion)
    {
        _app = app;
        _regions = regions;
        _store = store;
        _rsaKeys = rsaKeys;
        Endpoint = endpoint;
        StorageDescription = storage;
        HomeRegion = homeRegion;
    }

    /// <summary>The gateway's URL, e.g. http://127.0.0.1:4566.</summary>
    public Uri Endpoint { get; }

    /// <summary>Where key state lives, in words.</summary>
    public string StorageDescription { get; }

    /// <summary>The storage connection string in use (Azurite's own when the service started it); null for memory storage.</summary>
    public string? StorageConnectionString { get; private init; }

    /// <summary>The home Region (<see cref="KmsServerOptions.Region"/>), started with the server.</summary>
    public string HomeRegion { get; }

    /// <summary>The Regions served.</summary>
    public IReadOnlyList<string> Regions => _regions.Served;

    /// <summary>The home Region's silo services (its grain factory, caches, ...).</summary>
    public IServiceProvider Services => RegionServices(HomeRegion);

    /// <summary>The gateway's own services (identities, SigV4, the Region router).</summary>
    public IServiceProvider GatewayServices => _app.Services;

    /// <summary>A Region's silo services, starting the Region if it is idle.</summary>
    public IServiceProvider RegionServices(string region) =>
        _regions.ServicesOf(region) ?? _regions.GetAsync(region).AsTask().GetAwaiter().GetResult().Services;

    /// <summary>Stopping and starting Regions (what <c>kms region stop|start</c> does through the development admin surface).</summary>
    public IKmsRegionControl RegionControl => _regions;

    public static async Task<KmsServer> StartAsync(KmsServerOptions options, CancellationToken cancel = default)
    {
        using var bootLoggerFactory = LoggerFactory.Create(b => ConfigureLogging(b, options));
        var bootLogger = bootLoggerFactory.CreateLogger("OrleansKms.Server");
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        DurableAzurite? store = null;
        string? connectionString = options.StorageConnectionString;
        string storage;
        switch (options.EffectiveStorage)
        {
            case KmsStorageMode.Azurite:
                store = await DurableAzurite.StartAsync(dataDirectory, bootLogger, cancel);
                connectionString = store.ConnectionString;
                storage = $"Azurite (data in {Path.Combine(dataDirectory, "azurite")}, journal in {Path.Combine(dataDirectory, "journal")})";
                break;
            case KmsStorageMode.AzureStorage:
                storage = "Azure Storage (connection string)";
                break;
            default:
                storage = "MEMORY: volatile, every key is lost when the process stops";
                bootLogger.LogWarning("--storage memory: keys are kept in memory only and are LOST when the process stops.");
                break;
        }

        var served = ServedRegions(options);
        var regionLogger = LoggerFactory.Create(b => ConfigureLogging(b, options)).CreateLogger("OrleansKms.Regions");
        RegionLinks? links = null;
        // The Regions' grains report what they do on their own (rotation, deletion, expiry) to the audit trail, which
        // lives in the gateway's host, built after the home Region: the relay holds them until then.
        var serviceEvents = new ServiceEventRelay();
        // One pool of pre-generated RSA keys for every Region of the process, filled from the gateway's host.
        var rsaKeys = new RsaKeyPool(options.RsaKeyPool.Targets);
        var regions = new RegionHosts(served,
            (region, _) => Task.FromResult(BuildRegion(region, region == options.Region, options, connectionString, store?.TableClientOptions, dataDirectory, links!, serviceEvents, rsaKeys)),
            regionLogger, keepStoppedHosts: options.EffectiveStorage == KmsStorageMode.Memory);
        links = new ServiceRegionLinks(regions, RegionPeers(options, served), RegionLinkSecret(options, dataDirectory, bootLogger), TimeProvider.System);
        WebApplication? app = null;
        try
        {
            var home = await regions.GetAsync(options.Region, cancel);
            app = BuildGateway(options, regions, links, home.Services, connectionString, rsaKeys,
                auditFolder: store is null ? null : Path.Combine(dataDirectory, "audit"), azuriteDatabase: store?.Azurite.TableDatabasePath);
            serviceEvents.Attach(app.Services.GetService<AuditWriter>() ?? (IKmsServiceEvents)new NoServiceEvents());
            await app.StartAsync(cancel);
            if (options.SeedFile is { } seedFile) await SeedAsync(app, home.Services, options, seedFile, bootLogger);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new KmsServer(app, regions, store, rsaKeys, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), storage, options.Region)
            {
                StorageConnectionString = connectionString,
            };
        }
        catch
        {
            if (app is not null) await app.DisposeAsync();
            await regions.DisposeAsync();
            rsaKeys.Dispose();
            if (store is not null) await store.DisposeAsync();
            throw;
        }
    }

    private static IReadOnlyList<string> ServedRegions(KmsServerOptions options)
    {
        if (!AwsRegions.IsKnown(options.Region))
            throw new InvalidDataException($"--region {options.Region}: not an AWS Region this service knows (for example us-east-1, eu-west-1, cn-north-1).");
        var served = options.Regions ?? AwsRegions.All;
        if (served.FirstOrDefault(r => !AwsRegions.IsKnown(r)) is { } unknown)
            throw new InvalidDataException($"--regions: '{unknown}' is not an AWS Region this service knows.");
        if (!served.Contains(options.Region))
            throw new InvalidDataException($"--regions {string.Join(",", served)} does not include the home Region {options.Region} (--region).");
        return [options.Region, .. served.Where(r => r != options.Region)];
    }

    private static void ConfigureLogging(ILoggingBuilder logging, KmsServerOptions options)
    {
        logging.ClearProviders().AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(options.LogLevel);
        // Audit records as log records are for OpenTelemetry (KmsTelemetry) only, never the console.
        logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(AuditLog.Category, LogLevel.None);
        logging.AddFilter<OpenTelemetry.Logs.OpenTelemetryLoggerProvider>(AuditLog.Category, LogLevel.Information); // whatever --log-level says
        logging.AddFilter("Orleans", options.LogLevel < LogLevel.Warning ? LogLevel.Warning : options.LogLevel);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Off: while this category is enabled at any level, ASP.NET Core starts an Activity and a log scope for every
        // request, even with nothing to log (1.9% of the gateway's profile, plus AsyncLocals carried by every await of
        // the request). Its only other records, startup failures, reach the caller of Start as exceptions.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        logging.AddFilter("Polly", LogLevel.Warning);
    }

    /// <summary>The front door: Kestrel and the gateway, routing each request to the Region of its SigV4 scope.</summary>
    private static WebApplication BuildGateway(KmsServerOptions options, RegionHosts regions, RegionLinks links, IServiceProvider home,
        string? connectionString, RsaKeyPool rsaKeys, string? auditFolder, string? azuriteDatabase)
    {
        var builder = WebApplication.CreateSlimBuilder();
        ConfigureLogging(builder.Logging, options);
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Parse(options.ListenAddress), options.Port);
            k.Limits.MaxRequestBodySize = null;
            k.AddServerHeader = false;
        });
        options.ConfigureServices?.Invoke(builder.Services);
        builder.Services.AddSingleton<IKmsRegions>(regions);
        builder.Services.AddSingleton(rsaKeys);
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options.RsaKeyPool));
        builder.Services.AddHostedService<RsaKeyPoolFiller>();
        builder.Services.AddSingleton<IKmsRegionControl>(regions);
        // STS is global, as AWS's: its sessions are sealed under the home Region's service secret, and role trust
        // policies are evaluated by the same policy engine as keys.
        builder.Services.AddSingleton(home.GetRequiredService<IServiceSecrets>());
        builder.Services.AddSingleton(home.GetRequiredService<IKmsAuthorization>());
        var callers = options.IdentitiesFile is null ? null : LoadIdentities(options.IdentitiesFile);
        builder.Services.AddKmsGateway(g =>
        {
            g.Region = options.Region;
            g.DevAdmin = options.DevAdmin;
            if (callers is not null)
            {
                foreach (var identity in callers.All) g.Identities.Add(identity);
                foreach (var role in callers.Roles) g.Roles.Add(role);
            }
        });
        builder.Services.AddKmsTelemetry(options.OtlpEndpoint, options.OtlpProtocol);
        // The audit trail: CloudTrail log files in the storage's blobs (container kmsaudit); with the service's own
        // Azurite, files in the data folder (audit/), the blobs of earlier versions still found; in memory with --storage memory.
        if (options.Audit) builder.Services.AddKmsAudit(sp =>
            {
                if (connectionString is null) return new MemoryAuditStore();
                var auditOptions = sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<KmsAuditOptions>>();
                var blobs = new Audit.AzureBlobAuditStore(new Azure.Storage.Blobs.BlobServiceClient(connectionString), auditOptions,
                    legacy: new Audit.AzureTableAuditArchive(new TableServiceClient(connectionString), auditOptions));
                return auditFolder is null ? blobs : new Audit.FileAuditStore(auditFolder, earlier: blobs);
            },
            audit => audit.LogRecords = options.OtlpEndpoint is not null);
        builder.Services.AddKeyLastUsage();
        // Usage metering and the bill (kms cost): counts in the Regions' storage (kmsusage* tables), in memory with --storage memory.
        builder.Services.AddKmsCost(sp => connectionString is null
            ? new MemoryUsageStore()
            : new Cost.AzureTableUsageStore(new TableServiceClient(connectionString), sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<KmsCostOptions>>()));
        builder.Services.AddKmsRequestQuotas(options.Quotas);
        // The service's own Azurite can save only so much: creating stops before its table database gets there.
        if (azuriteDatabase is not null)
            builder.Services.AddSingleton<IKmsRequestGate>(sp => new Durability.AzuriteCapacityGate(azuriteDatabase, options.AzuriteFullAt,
                TimeProvider.System, sp.GetRequiredService<ILoggerFactory>().CreateLogger<Durability.AzuriteCapacityGate>()));
        if (options.IdleMemoryTrim is { } quiet)
            builder.Services.AddHostedService(sp => new IdleMemoryTrim(quiet, TimeProvider.System, sp.GetRequiredService<ILogger<IdleMemoryTrim>>()));
        var linkEndpoint = new RegionLinkEndpoint(regions, links, TimeProvider.System);
        var app = builder.Build();
        app.MapPost(ServiceRegionLinks.DeliverPath, linkEndpoint.HandleAsync);
        app.MapPost(ServiceRegionLinks.ReplicaDeletedPath, linkEndpoint.HandleAsync);
        if (options.Audit) app.MapKmsAudit();
        app.MapKmsCost();
        app.MapKmsGateway();
        return app;
    }

    /// <summary>One Region's own cluster: a silo host with the Region's cluster ids, tables and root key.</summary>
    private static IHost BuildRegion(string region, bool home, KmsServerOptions options, string? connectionString, TableClientOptions? tableOptions,
        string dataDirectory, RegionLinks links, IKmsServiceEvents serviceEvents, RsaKeyPool rsaKeys)
    {
        var names = RegionNames.For(region, options);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        ConfigureLogging(builder.Logging, options);
        // Only the front door answers Ctrl-C; it stops the Regions itself, after the gateway.
        builder.Services.AddSingleton<IHostLifetime, ServerOwnedLifetime>();
        options.ConfigureServices?.Invoke(builder.Services);
        builder.Services.AddSingleton(links);
        builder.Services.AddSingleton(serviceEvents);
        builder.Services.AddSingleton(rsaKeys);
        if (options.Pkcs11ModulePath is { } module) builder.Services.Configure<OrleansKms.Grains.KmsGrainOptions>(o => o.Pkcs11ModulePath = module);
        var siloPort = home ? options.SiloPort : FreePort();
        var gatewayPort = home ? options.SiloGatewayPort : FreePort();
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = names.ClusterId;
                o.ServiceId = names.ServiceId;
            });
            if (connectionString is null)
            {
                silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: names.ServiceId, clusterId: names.ClusterId);
                silo.UseInMemoryReminderService();
            }
            else
            {
                silo.UseAzureStorageClustering(o =>
                {
                    o.TableServiceClient = new TableServiceClient(connectionString);
                    o.TableName = names.MembershipTable;
                });
                silo.UseAzureTableReminderService(o =>
                {
                    o.TableServiceClient = new TableServiceClient(connectionString, tableOptions);
                    o.TableName = names.ReminderTable;
                });
                ConfigureEndpoints(silo, options, siloPort, gatewayPort);
            }

            silo.AddActivityPropagation();
            // Idle activations are looked for every 30 s (Orleans: every minute), so an idle key grain leaves within
            // KmsGrainOptions.KeyGrainCollectionAge + 30 s: fewer idle activations held while many keys are touched.
            silo.Configure<GrainCollectionOptions>(o => o.CollectionQuantum = TimeSpan.FromSeconds(30));
            // Orleans remembers where up to a million grains were activated (GrainDirectoryOptions.CacheSize), also long
            // after they were collected: about 350 bytes per key touched. A miss only costs a directory lookup.
            silo.Configure<GrainDirectoryOptions>(o => o.CacheSize = DirectoryCacheSize);
            silo.AddKms(k =>
            {
                k.Region = region;
                k.AzureStorageConnectionString = connectionString;
                k.TableClientOptions = tableOptions;
                k.TableName = names.KeyTable;
                k.RootKeyFile = names.RootKeyFile;
                k.RootKeyVariable = names.RootKeyVariable;
                k.RootKeyFileName = names.RootKeyFileName;
                k.RsaKeyPool.CopyFrom(options.RsaKeyPool);
                k.DataDirectory = options.EffectiveStorage == KmsStorageMode.Memory && names.RootKeyFile is null ? null : dataDirectory;
            });
        });
        return builder.Build();
    }

    /// <summary>
    /// The secret the Regions seal key material under when a multi-Region key replicates (<c>KMS_REGION_LINK_KEY</c>,
    /// else <c>region-link.key</c> in the data directory, made with mode 0600 on first start; memory storage: a new
    /// one per process). It is no root key and no caller's credential.
    /// </summary>
    private static SecretBytes RegionLinkSecret(KmsServerOptions options, string dataDirectory, ILogger logger) => RootKeySource.Load(new KmsOptions
    {
        RootKeyFile = options.RegionLinkKeyFile,
        RootKeyVariable = "KMS_REGION_LINK_KEY",
        RootKeyFileName = "region-link.key",
        DataDirectory = options.EffectiveStorage == KmsStorageMode.Memory ? null : dataDirectory,
    }, logger, quietWhenVolatile: true);

    /// <summary>The peers' endpoints: Regions served by other servers, each a known Region this server does not serve.</summary>
    private static IReadOnlyDictionary<string, Uri> RegionPeers(KmsServerOptions options, IReadOnlyList<string> served)
    {
        foreach (var region in options.RegionPeers.Keys)
        {
            if (!AwsRegions.IsKnown(region)) throw new InvalidDataException($"--region-peer {region}: not an AWS Region this service knows.");
            if (served.Contains(region))
                throw new InvalidDataException($"--region-peer {region}: this server serves {region} itself; limit --regions to name another server's Region as a peer.");
        }

        return new Dictionary<string, Uri>(options.RegionPeers, StringComparer.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A Region host's lifetime: it starts and stops when the server says, never on a console signal.</summary>
    private sealed class ServerOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>
    /// Reads the identities file, its policy documents checked against the IAM grammar (the silo's policy parser), so
    /// that a bad policy stops the start with a message naming the entry and field rather than denying at run time.
    /// </summary>
    private static IdentityStore LoadIdentities(string path)
    {
        IdentitiesFileReader.PolicyCheck = static (document, kind) =>
        {
            try
            {
                PolicyDocument.Parse(document, kind == "trust" ? PolicyKind.TrustPolicy : PolicyKind.IdentityPolicy);
                return null;
            }
            catch (PolicyFormatException e)
            {
                return e.Message;
            }
        };
        return IdentityStore.Load(path);
    }

    /// <summary>Applies the seed file; a bad one stops the start with a message naming the file, key and field.</summary>
    private static async Task SeedAsync(WebApplication app, IServiceProvider home, KmsServerOptions options, string seedFile, ILogger logger)
    {
        try
        {
            var seed = SeedDocument.Parse(await File.ReadAllTextAsync(seedFile), seedFile);
            var account = app.Services.GetRequiredService<IdentityStore>().All.First().AccountId;
            var outcomes = await DevelopmentSeed.ApplyAsync(seed, home.GetRequiredService<IKmsDevelopmentAdmin>(), options.Region, account, seedFile);
            logger.LogInformation("Seed {File}: {Outcome}", seedFile, DevelopmentSeed.Describe(outcomes));
        }
        catch
        {
            await app.StopAsync();
            throw;
        }
    }

    private static void ConfigureEndpoints(ISiloBuilder silo, KmsServerOptions options, int siloPort, int gatewayPort)
    {
        if (options.AdvertisedAddress is null)
        {
            silo.ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort);
            return;
        }

        var address = IPAddress.TryParse(options.AdvertisedAddress, out var ip)
            ? ip
            : Dns.GetHostAddresses(options.AdvertisedAddress).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        silo.ConfigureEndpoints(address, siloPort, gatewayPort, listenOnAnyHostAddress: true);
    }

    /// <summary>Waits until the host is asked to stop (Ctrl-C, SIGTERM).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancel = default) => _app.WaitForShutdownAsync(cancel);

    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _app.StopAsync(stop.Token);
        }
        finally
        {
            await _app.DisposeAsync();
            try
            {
                await _regions.DisposeAsync();
            }
            finally
            {
                _rsaKeys.Dispose();
                if (_store is not null) await _store.DisposeAsync();
            }
        }
    }
}
