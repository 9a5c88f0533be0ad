using System.Diagnostics;
using System.Net;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansKms.Gateway;

namespace EncryptedStateSample;

/// <summary>
/// A quick measurement (not a benchmark): the latency of one Encrypt through the embedded client against the same call
/// through an AWS SDK client over loopback HTTP to the same silo's gateway on Kestrel. Calls are sequential, one caller.
/// </summary>
internal static class LatencyMeasurement
{
    public static async Task<int> RunAsync(int count)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.AddEncryptedStateSample(11312, 30312);
        await using var app = builder.Build();
        app.MapKmsGateway();
        await app.StartAsync();
        var endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var embedded = app.Services.GetRequiredService<IAmazonKeyManagementService>();
        using var http = new AmazonKeyManagementServiceClient(new BasicAWSCredentials("test", "test"),
            new AmazonKeyManagementServiceConfig { ServiceURL = endpoint, AuthenticationRegion = "us-east-1" });
        var key = (await embedded.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;

        Console.WriteLine($"Encrypt of 32 bytes, {count} sequential calls after {count / 4} warm-up calls each (Environment: {Environment.ProcessorCount} cores)");
        foreach (var (name, client) in new[] { ("in-process", embedded), ("loopback HTTP", (IAmazonKeyManagementService)http), ("in-process", embedded), ("loopback HTTP", http) })
        {
            var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var allocated = GC.GetTotalAllocatedBytes();
            var samples = await MeasureAsync(client, key, count);
            Console.WriteLine($"  {name,-14} mean {samples.Average():F3} ms   p50 {Percentile(samples, 0.50):F3} ms   p99 {Percentile(samples, 0.99):F3} ms" +
                $"   (GCs {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2}, {(GC.GetTotalAllocatedBytes() - allocated) / 1024 / (count + count / 4)} KiB/call)");
        }

        await app.StopAsync();
        return 0;
    }

    private static async Task<double[]> MeasureAsync(IAmazonKeyManagementService kms, string key, int count)
    {
        var plaintext = new byte[32];
        for (var i = 0; i < count / 4; i++) await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream(plaintext) });
        var samples = new double[count];
        for (var i = 0; i < count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await kms.EncryptAsync(new EncryptRequest { KeyId = key, Plaintext = new MemoryStream(plaintext) });
            samples[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return samples;
    }

    private static double Percentile(double[] samples, double p)
    {
        var sorted = samples.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }
}
