using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using OrleansKms.Hosting;

namespace OrleansKms.IntegrationTests.Infrastructure;

/// <summary>
/// A 2-silo Orleans TestingHost cluster with the KMS grains (memory storage), one fake clock, and one root key
/// shared by both silos (as a real cluster shares its region's root key).
/// </summary>
public class TwoSiloClusterFixture : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public string Region => "us-east-1";

    public KmsCaller Caller { get; } = new("111122223333", "arn:aws:iam::111122223333:root", "test");

    public async ValueTask InitializeAsync()
    {
        var rootKeyFile = Path.Combine(Path.GetTempPath(), $"kms-cluster-{Guid.NewGuid():N}.key");
        await File.WriteAllTextAsync(rootKeyFile, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
        var builder = new InProcessTestClusterBuilder(2);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddKeyedSingleton<TimeProvider>(KmsTime.ServiceKey, Time);
            silo.UseInMemoryReminderService();
            silo.AddKms(k =>
            {
                k.Region = Region;
                k.RootKeyFile = rootKeyFile;
            });
            ConfigureSilo(silo);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>Extra silo configuration of a derived fixture.</summary>
    protected virtual void ConfigureSilo(ISiloBuilder silo)
    {
    }

    /// <summary>The grain factory of silo <paramref name="index"/>: stateless workers called through it run on that silo.</summary>
    public IGrainFactory Silo(int index) => Cluster.Silos[index].ServiceProvider.GetRequiredService<IGrainFactory>();

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
