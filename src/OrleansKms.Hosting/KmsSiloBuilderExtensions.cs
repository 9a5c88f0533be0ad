using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using OrleansKms.Grains;
using OrleansKms.Grains.Hosting;

namespace OrleansKms.Hosting;

/// <summary>The one call that adds OrleansKms to an Orleans silo.</summary>
public static class KmsSiloBuilderExtensions
{
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
        const string store = KmsGrainOptionsDefaults.StorageName + "-store";
        if (options.AzureStorageConnectionString is { } cs)
        {
            silo.AddAzureTableGrainStorage(store, o =>
            {
                o.TableServiceClient = new TableServiceClient(cs, options.TableClientOptions);
                o.TableName = options.TableName;
                o.DeleteStateOnClear = true;
            });
        }
        else
        {
            // The silo is the database here: rows kept compact (CompactMemoryGrainStorage; docs/performance.md, "Memory").
            services.AddGrainStorage(store, (sp, _) => ActivatorUtilities.CreateInstance<CompactMemoryGrainStorage>(sp));
        }

        services.AddKeyedSingleton<Orleans.Storage.IGrainStorage>(KmsGrainOptionsDefaults.StorageName,
            (sp, _) => new MintedKeyAwareGrainStorage(sp.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(store)));

        return silo;
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
