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
using OrleansKms.Gateway.Auth;
using OrleansKms.Hosting.Durability;
using OrleansKms.Policy;

namespace OrleansKms.Hosting;

/// <summary>
/// A whole KMS server, embeddable: (Azurite if asked) + one Orleans silo + the AWS KMS gateway on Kestrel.
/// The <c>silo</c> executable and the tests both start it through <see cref="StartAsync"/>.
/// </summary>
public sealed class KmsServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly DurableAzurite? _store;

    private KmsServer(WebApplication app, DurableAzurite? store, Uri endpoint, string storage)
    {
        _app = app;
        _store = store;
        Endpoint = endpoint;
        StorageDescription = storage;
    }

    /// <summary>The gateway's URL, e.g. http://127.0.0.1:4566.</summary>
    public Uri Endpoint { get; }

    /// <summary>Where key state lives, in words.</summary>
    public string StorageDescription { get; }

    /// <summary>The storage connection string in use (Azurite's own when the service started it); null for memory storage.</summary>
    public string? StorageConnectionString { get; private init; }

    public IServiceProvider Services => _app.Services;

    public static async Task<KmsServer> StartAsync(KmsServerOptions options, CancellationToken cancel = default)
    {
        using var bootLoggerFactory = LoggerFactory.Create(b => b.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(options.LogLevel));
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

        try
        {
            var app = Build(options, connectionString, store?.TableClientOptions, dataDirectory);
            await app.StartAsync(cancel);
            if (options.SeedFile is { } seedFile) await SeedAsync(app, options, seedFile, bootLogger);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new KmsServer(app, store, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)), storage)
            {
                StorageConnectionString = connectionString,
            };
        }
        catch
        {
            if (store is not null) await store.DisposeAsync();
            throw;
        }
    }

    private static WebApplication Build(KmsServerOptions options, string? connectionString, TableClientOptions? tableOptions, string dataDirectory)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(options.LogLevel);
        builder.Logging.AddFilter("Orleans", options.LogLevel < LogLevel.Warning ? LogLevel.Warning : options.LogLevel);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Parse(options.ListenAddress), options.Port);
            k.Limits.MaxRequestBodySize = null;
            k.AddServerHeader = false;
        });
        options.ConfigureServices?.Invoke(builder.Services);
        var callers = options.IdentitiesFile is null ? null : LoadIdentities(options.IdentitiesFile);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = options.ClusterId;
                o.ServiceId = options.ServiceId;
            });
            if (connectionString is null)
            {
                silo.UseLocalhostClustering(options.SiloPort, options.SiloGatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
                silo.UseInMemoryReminderService();
            }
            else
            {
                silo.UseAzureStorageClustering(o => o.TableServiceClient = new TableServiceClient(connectionString));
                silo.UseAzureTableReminderService(o => o.TableServiceClient = new TableServiceClient(connectionString, tableOptions));
                ConfigureEndpoints(silo, options);
            }

            silo.AddActivityPropagation();
            silo.AddKms(k =>
            {
                k.Region = options.Region;
                k.AzureStorageConnectionString = connectionString;
                k.TableClientOptions = tableOptions;
                k.RootKeyFile = options.RootKeyFile;
                k.DataDirectory = options.EffectiveStorage == KmsStorageMode.Memory && options.RootKeyFile is null ? null : dataDirectory;
            });
        });
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
        builder.Services.AddKmsTelemetry();
        var app = builder.Build();
        app.MapKmsGateway();
        return app;
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
    private static async Task SeedAsync(WebApplication app, KmsServerOptions options, string seedFile, ILogger logger)
    {
        try
        {
            var seed = SeedDocument.Parse(await File.ReadAllTextAsync(seedFile), seedFile);
            var account = app.Services.GetRequiredService<IdentityStore>().All.First().AccountId;
            var outcomes = await DevelopmentSeed.ApplyAsync(seed, app.Services.GetRequiredService<IKmsDevelopmentAdmin>(), options.Region, account, seedFile);
            logger.LogInformation("Seed {File}: {Outcome}", seedFile, DevelopmentSeed.Describe(outcomes));
        }
        catch
        {
            await app.StopAsync();
            await app.DisposeAsync();
            throw;
        }
    }

    private static void ConfigureEndpoints(ISiloBuilder silo, KmsServerOptions options)
    {
        if (options.AdvertisedAddress is null)
        {
            silo.ConfigureEndpoints(IPAddress.Loopback, options.SiloPort, options.SiloGatewayPort);
            return;
        }

        var address = IPAddress.TryParse(options.AdvertisedAddress, out var ip)
            ? ip
            : Dns.GetHostAddresses(options.AdvertisedAddress).First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork);
        silo.ConfigureEndpoints(address, options.SiloPort, options.SiloGatewayPort, listenOnAnyHostAddress: true);
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
            if (_store is not null) await _store.DisposeAsync();
        }
    }
}
