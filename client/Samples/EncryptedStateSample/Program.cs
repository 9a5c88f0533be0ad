using EncryptedStateSample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

// The encrypted-state sample: an Orleans application whose grains seal their own state with KMS keys of the same
// cluster, through the AWS SDK's IAmazonKeyManagementService served in-process.
//   dotnet run --project client/Samples/EncryptedStateSample                 the demo (memory storage)
//   ... -- --storage-connection-string "UseDevelopmentStorage=true"           key and grain state in Azurite/Azure Storage
//   ... -c Release -- measure [COUNT]                                         in-process vs loopback HTTP latency
if (args is ["measure", ..])
    return await LatencyMeasurement.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000);
if (args is not ([] or ["--storage-connection-string", _]))
{
    Console.Error.WriteLine("Usage: EncryptedStateSample [--storage-connection-string CS] | measure [COUNT]");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddEncryptedStateSample(11311, 30311, args.Length == 2 ? args[1] : null);
using var host = builder.Build();
await host.StartAsync();

var grains = host.Services.GetRequiredService<IGrainFactory>();
if (await grains.GetGrain<ISecretNoteGrain>("alice").GetAsync() is { } stored)
    Console.WriteLine($"alice's note, opened from storage: {stored}");
await grains.GetGrain<ISecretNoteGrain>("alice").SetAsync("alice's secret: the launch code is 0000");
await grains.GetGrain<ISecretNoteGrain>("bob").SetAsync("bob's secret: I never read the docs");
Console.WriteLine($"alice reads: {await grains.GetGrain<ISecretNoteGrain>("alice").GetAsync()}");
Console.WriteLine($"bob reads:   {await grains.GetGrain<ISecretNoteGrain>("bob").GetAsync()}");
Console.WriteLine("Each note is stored sealed: AES-GCM under a data key from GenerateDataKey, the data key encrypted under");
Console.WriteLine($"{SampleHost.KeyAlias} with the encryption context {{purpose=orleans-grain-state, grain=secretnote/NAME}}.");
await host.StopAsync();
return 0;
