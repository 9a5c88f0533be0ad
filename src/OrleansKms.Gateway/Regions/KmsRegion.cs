using Microsoft.Extensions.DependencyInjection;

namespace OrleansKms.Gateway.Regions;

/// <summary>
/// One Region as the gateway reaches it: the grain factory of that Region's cluster and the services its silo
/// offers in-process (authorization, the crypto path, the development admin).
/// </summary>
public sealed class KmsRegion
{
    public KmsRegion(string name, IServiceProvider services)
    {
        Name = name;
        Services = services;
        Grains = services.GetRequiredService<IGrainFactory>();
        Authorization = services.GetService<IKmsAuthorization>();
        InProcessCrypto = (services as IKeyedServiceProvider)?.GetKeyedService<ICryptoWorker>(KmsServiceKeys.InProcessCrypto);
        Admin = services.GetService<IKmsDevelopmentAdmin>();
    }

    public string Name { get; }

    /// <summary>The Region's silo services (tests reach its grains and caches through them).</summary>
    public IServiceProvider Services { get; }

    public IGrainFactory Grains { get; }

    public IKmsAuthorization? Authorization { get; }

    public ICryptoWorker? InProcessCrypto { get; }

    public IKmsDevelopmentAdmin? Admin { get; }
}

/// <summary>The Regions a gateway serves, and the way into each.</summary>
public interface IKmsRegions
{
    /// <summary>The Regions served; the first is the home Region (started at start-up, where a seed goes).</summary>
    IReadOnlyList<string> Served { get; }

    bool Serves(string region);

    /// <summary>
    /// The Region, started on first use. Throws <see cref="RegionUnavailableException"/> while the Region is stopped
    /// (a failover drill).
    /// </summary>
    ValueTask<KmsRegion> GetAsync(string region, CancellationToken cancel = default);
}

/// <summary>Stopping and starting Regions at run time, for failover drills (<c>--dev-admin</c> only).</summary>
public interface IKmsRegionControl
{
    Task StopAsync(string region);

    Task StartAsync(string region);

    /// <summary>Each served Region and whether it is running, stopped or not yet started.</summary>
    IReadOnlyList<RegionStatus> Status();
}

/// <summary>A Region's state: <c>running</c>, <c>stopped</c> (by a drill) or <c>idle</c> (never used since start).</summary>
public sealed record RegionStatus(string Region, string State);

/// <summary>The Region is stopped: the gateway answers its requests as an unreachable endpoint (the connection is closed).</summary>
public sealed class RegionUnavailableException(string region)
    : Exception($"Region {region} is stopped (failover drill).")
{
    public string Region { get; } = region;
}

/// <summary>
/// The Region of a gateway hosted in a silo (the embedded case, <c>AddKms()</c> plus <c>AddKmsGateway()</c>): the
/// one Region of its options, reached through the host's own services.
/// </summary>
internal sealed class LocalRegion(string region, IServiceProvider services) : IKmsRegions
{
    private KmsRegion? _region;

    public IReadOnlyList<string> Served { get; } = [region];

    public bool Serves(string name) => name == region;

    public ValueTask<KmsRegion> GetAsync(string name, CancellationToken cancel = default) =>
        ValueTask.FromResult(_region ??= new KmsRegion(region, services));
}
