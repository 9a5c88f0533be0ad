using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Placement;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;
using OrleansKms.Grains.KeyPool;

namespace OrleansKms.Grains.Hosting;

/// <summary>Registers what the KMS grains need in a silo's services.</summary>
public static class KmsGrainsServiceCollectionExtensions
{
    /// <summary>Adds the key grains' services; <paramref name="rootKey"/> wraps key material at rest.</summary>
    public static IServiceCollection AddKmsGrains(this IServiceCollection services, Func<IServiceProvider, SecretBytes> rootKey)
    {
        if (services.Any(d => d.ServiceType == typeof(KeySnapshotCache))) return services;
        services.TryAddKeyedSingleton<TimeProvider>(KmsTime.ServiceKey, (_, _) => TimeProvider.System);
        services.AddOptions<KmsGrainOptions>()
            .Validate(o => o.SnapshotMaxAge > TimeSpan.Zero, $"{nameof(KmsGrainOptions.SnapshotMaxAge)} must be positive.")
            .Validate(o => o.PushTimeout > TimeSpan.Zero, $"{nameof(KmsGrainOptions.PushTimeout)} must be positive.")
            .Validate(o => o.CacheIdleTime > TimeSpan.Zero, $"{nameof(KmsGrainOptions.CacheIdleTime)} must be positive.")
            .Validate(o => o.KeyCacheCapacity > 0, $"{nameof(KmsGrainOptions.KeyCacheCapacity)} must be at least 1.")
            .Validate(o => o.PolicyCacheCapacity > 0, $"{nameof(KmsGrainOptions.PolicyCacheCapacity)} must be at least 1.")
            .Validate(o => o.KeyGrainCollectionAge > TimeSpan.FromMinutes(1),
                $"{nameof(KmsGrainOptions.KeyGrainCollectionAge)} must be more than 1 minute (Orleans' collection quantum).")
            .ValidateOnStart();
        // Idle key, alias and catalog shard activations leave memory after KeyGrainCollectionAge, not Orleans' default
        // 15 minutes (a shard holds its ids as strings beside its stored row: 20 MB at 200,000 keys).
        services.AddOptions<GrainCollectionOptions>().Configure<IOptions<KmsGrainOptions>>((collection, kms) =>
        {
            foreach (var grain in new[] { typeof(KeyGrain), typeof(AliasGrain), typeof(KeyCatalogShardGrain) })
                collection.ClassSpecificCollectionAge[grain.FullName!] = kms.Value.KeyGrainCollectionAge;
        });
        services.AddSingleton(sp => new RootKeyHolder(rootKey(sp)));
        services.AddSingleton<IKeyMaterialProtector>(sp => new RootKeyMaterialProtector(new RootKeyWrapper(sp.GetRequiredService<RootKeyHolder>().Key)));
        services.AddSingleton<IServiceSecrets>(sp => new DerivedServiceSecrets(sp.GetRequiredService<RootKeyHolder>().Key));
        services.AddSingleton<KeyAccess>();
        services.AddSingleton<IKmsAuthorization>(sp => sp.GetRequiredService<KeyAccess>());
        services.AddSingleton<CatalogActivity>();
        services.AddSingleton<KeySnapshotCache>();
        services.AddSingleton<CryptoService>();
        services.AddKeyedSingleton<ICryptoWorker>(KmsServiceKeys.InProcessCrypto, (sp, _) => sp.GetRequiredService<CryptoService>());
        services.AddSingleton<AliasCache>();
        services.AddSingleton<SnapshotPublisher>();
        services.AddSingleton<IKmsDevelopmentAdmin, DevelopmentAdmin>();
        services.TryAddSingleton<RegionLinks, NoRegionLinks>();
        services.TryAddSingleton<IKmsServiceEvents, NoServiceEvents>();
        services.TryAddSingleton(_ => new OrleansKms.KeyStores.Xks.XksProxyClient(new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }), TimeProvider.System));
        services.AddSingleton<KeyStores.KeyStoreCrypto>();
        AddRsaKeyPool(services);
        services.AddPlacementDirector<SiloTargetedPlacement, SiloTargetedPlacementDirector>();
        return services;
    }

    /// <summary>
    /// The silo's pool of pre-generated RSA keys and its background filler, unless the host registered a pool of its own
    /// (KmsServer shares one between the Regions of a process and fills it from the gateway's host).
    /// </summary>
    private static void AddRsaKeyPool(IServiceCollection services)
    {
        services.AddOptions<RsaKeyPoolOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RsaKeyPoolOptions>, RsaKeyPoolOptionsValidator>());
        if (services.Any(d => d.ServiceType == typeof(RsaKeyPool))) return;
        services.AddSingleton(sp => new RsaKeyPool(sp.GetRequiredService<IOptions<RsaKeyPoolOptions>>().Value.Targets));
        services.AddHostedService<RsaKeyPoolFiller>();
    }

    /// <summary>The root key, loaded once for both uses of it.</summary>
    private sealed record RootKeyHolder(SecretBytes Key);
}
