using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansKms.Hosting;
using OrleansKms.Hosting.Azurite;
using OrleansKms.IntegrationTests.Infrastructure;

[assembly: AssemblyFixture(typeof(SharedAzurite))]

namespace OrleansKms.IntegrationTests.Infrastructure;

/// <summary>
/// One Azurite for the whole test run, for every test that needs Azure Storage but not the default mode's own
/// Azurite: each test uses its own cluster and service ids (so its own rows and reminders), as separate services
/// share one storage account. Tests of the default mode itself (the service starting Azurite, its journal, its
/// stop) start their own, as users do.
/// </summary>
public sealed class SharedAzurite : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "kms-shared-azurite-" + Guid.NewGuid().ToString("N"));
    private AzuriteProcess? _azurite;

    public string ConnectionString => _azurite!.ConnectionString;

    public async ValueTask InitializeAsync() =>
        _azurite = await AzuriteProcess.StartAsync(_directory, NullLogger.Instance);

    /// <summary>
    /// Options of a server on this Azurite with a service of its own: pass the same <paramref name="serviceId"/>
    /// (and root key file) again to start the same service after a stop.
    /// </summary>
    public KmsServerOptions Options(string serviceId, string rootKeyFile) => new()
    {
        Port = 0,
        StorageConnectionString = ConnectionString,
        RootKeyFile = rootKeyFile,
        DataDirectory = Path.Combine(_directory, serviceId),
        ServiceId = serviceId,
        ClusterId = serviceId,
        SiloPort = TestPorts.Free(),
        SiloGatewayPort = TestPorts.Free(),
        LogLevel = LogLevel.Warning,
    };

    /// <summary>A new service id and a root key file for it.</summary>
    public (string ServiceId, string RootKeyFile) NewService(string name)
    {
        var serviceId = $"{name}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(_directory, serviceId));
        var rootKeyFile = Path.Combine(_directory, serviceId, "root.key");
        File.WriteAllText(rootKeyFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        return (serviceId, rootKeyFile);
    }

    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null) await _azurite.DisposeAsync();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
