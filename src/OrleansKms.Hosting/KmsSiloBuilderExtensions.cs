using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansKms.Grains;
using OrleansKms.Grains.Hosting;
using OrleansKms.Hosting.Storage;

namespace OrleansKms.Hosting;

/// <summary>The one call that adds OrleansKms to an Orleans silo.</summary>
public static class KmsSiloBuilderExtensions
{
    /// <summary>
    /// The name of the grain storage that holds KMS state (Azure tables, or memory). A host that registers a grain
    /// storage under this name before <see cref="AddKms"/> keeps its own.
    /// </summary>
    public const string StoreName = KmsGrainOptionsDefaults.StorageName + "-store";

    /// <summary>
    /// Adds the KMS grains (keys, catalogs, the crypto worker pool), their grain storage and the root key. Idempotent.
    /// Clustering and reminders stay the host's choice.
    /// </summary>
    public static ISiloBuilder AddKms(this ISiloBuilder silo, Action<KmsOptions>? configure = null)
    {
        var options = new KmsOptions();
        configure?.Invoke(options);
        Validate(options);
        var services = silo.Services;
        if (services.Any(d => d.ServiceType == typeof(KmsOptionsMarker))) return silo;
        services.AddSingleton<KmsOptionsMarker>();
        services.AddSingleton(Options.Create(options));
        services.Configure<Grains.KeyPool.RsaKeyPoolOptions>(o => o.CopyFrom(options.RsaKeyPool));
        services.AddKmsGrains(sp => RootKeySource.Load(options, sp.GetRequiredService<ILoggerFactory>().CreateLogger("OrleansKms.RootKey")));

        // The store itself under a name of its own; the KMS name is the store behind MintedKeyAwareGrainStorage.
        AddStore(services, options);
        services.AddKeyedSingleton<IGrainStorage>(KmsGrainOptionsDefaults.StorageName,
            (sp, _) => new MintedKeyAwareGrainStorage(sp.GetRequiredKeyedService<IGrainStorage>(StoreName)));

        return silo;
    }

    private static void AddStore(IServiceCollection services, KmsOptions options)
    {
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(IGrainStorage) && Equals(d.ServiceKey, StoreName))) return;
        if (options.AzureStorageConnectionString is { } cs)
        {
            // Rows with a RowKey of their own, in Orleans' binary form (docs/durability.md, "Key state in the table").
            services.AddGrainStorage(StoreName, (sp, name) => new KmsTableGrainStorage(name,
                new TableServiceClient(cs, options.TableClientOptions), options.TableName,
                sp.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId,
                sp.GetRequiredService<Serializer>(), sp.GetRequiredService<IGrainStorageSerializer>(),
                sp.GetRequiredService<ILogger<KmsTableGrainStorage>>()));
        }
        else
        {
            // The silo is the database here: rows kept compact (CompactMemoryGrainStorage; docs/performance.md, "Memory").
            services.AddGrainStorage(StoreName, (sp, _) => ActivatorUtilities.CreateInstance<CompactMemoryGrainStorage>(sp));
        }
    }

    private static void Validate(KmsOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Region))
            throw new OptionsValidationException(nameof(KmsOptions), typeof(KmsOptions), [$"{nameof(KmsOptions.Region)} must be set (for example us-east-1)."]);
        if (string.IsNullOrWhiteSpace(o.TableName) || !o.TableName.All(char.IsAsciiLetterOrDigit))
            throw new OptionsValidationException(nameof(KmsOptions), typeof(KmsOptions), [$"{nameof(KmsOptions.TableName)} must be letters and digits only."]);
    }

    private sealed class KmsOptionsMarker;
}
