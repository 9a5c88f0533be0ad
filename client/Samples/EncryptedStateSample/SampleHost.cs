using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansKms.Hosting;
using OrleansKms.Hosting.Embedded;

namespace EncryptedStateSample;

/// <summary>The sample's settings.</summary>
public sealed class SampleOptions
{
    /// <summary>The KMS key grain state is sealed under (created at start if it is this alias and does not exist). Default <c>alias/encrypted-state-sample</c>.</summary>
    public string KeyId { get; set; } = SampleHost.KeyAlias;
}

/// <summary>
/// The sample application's wiring: one silo with the KMS embedded (<c>AddKms()</c>), the in-process AWS SDK client
/// (<c>AddKmsClient()</c>), the grains' storage and the key they seal under.
/// </summary>
public static class SampleHost
{
    public const string StorageName = "sample-state";
    public const string KeyAlias = "alias/encrypted-state-sample";

    /// <summary>
    /// Adds the silo and the sample's services. <paramref name="storageConnectionString"/>: Azure Storage or Azurite for
    /// key state and grain state; null keeps both in memory. <paramref name="grainStorage"/> replaces the grains' storage
    /// (tests inspect what is stored).
    /// </summary>
    public static IHostApplicationBuilder AddEncryptedStateSample(this IHostApplicationBuilder builder, int siloPort, int gatewayPort,
        string? storageConnectionString = null, Action<ISiloBuilder>? grainStorage = null)
    {
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(siloPort, gatewayPort).UseInMemoryReminderService();
            silo.AddKms(kms =>
            {
                kms.Region = "us-east-1";
                kms.AzureStorageConnectionString = storageConnectionString;
                // Persistent key state needs a persistent root key: generated once in ./.sample-data (mode 0600).
                if (storageConnectionString is not null) kms.DataDirectory = ".sample-data";
            });
            if (grainStorage is not null) grainStorage(silo);
            else if (storageConnectionString is null) silo.AddMemoryGrainStorage(StorageName);
            else silo.AddAzureTableGrainStorage(StorageName, o => o.TableServiceClient = new Azure.Data.Tables.TableServiceClient(storageConnectionString));
        });
        builder.Services.AddKmsClient(); // the development identity, in the silo's Region
        builder.Services.AddOptions<SampleOptions>();
        builder.Services.AddSingleton<EnvelopeCipher>();
        builder.Services.AddHostedService<SampleKeySetup>();
        return builder;
    }

    /// <summary>Creates the sample's key and alias on start, unless the alias exists. Runs after the silo has started.</summary>
    private sealed class SampleKeySetup(IAmazonKeyManagementService kms, IOptions<SampleOptions> options) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.KeyId != KeyAlias) return;
            try
            {
                await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = KeyAlias }, cancellationToken);
            }
            catch (NotFoundException)
            {
                var key = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "Seals the grain state of the encrypted-state sample" }, cancellationToken);
                await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = KeyAlias, TargetKeyId = key.KeyMetadata.KeyId }, cancellationToken);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
