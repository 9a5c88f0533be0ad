#:package Azure.Data.Tables
#:package Azure.Storage.Blobs
#:package Azure.Core
#:property JsonSerializerIsReflectionEnabledByDefault=true
// Raw writes per second into an Azurite (or any storage account), with N concurrent writers: the ceiling that
// CreateKey on the default store cannot beat. Each write is one new entity (or blob) of SIZE bytes, as a key's row is.
// Run from the project root against an Azurite you started (docs/performance.md, "Azurite itself"):
//
//   dotnet run docs/bench/azurite-writes.cs -- --connection "UseDevelopmentStorage=true;..." [--kind table|blob]
//       [--writers 32] [--seconds 20] [--size 2500] [--row-key same|unique] [--table NAME]
//
// --row-key same (the default) writes every entity with the RowKey "state" and a PartitionKey of its own, as the
// Orleans Azure Table grain storage does (PartitionKey: the grain, RowKey: the state's name); unique gives each a
// RowKey of its own too. --table NAME writes into that table (kept between runs) instead of a new one, to measure
// writes into a table that already holds many rows.
using System.Diagnostics;
using Azure.Data.Tables;
using Azure.Storage.Blobs;

string connection = "UseDevelopmentStorage=true", kind = "table", rowKey = "same";
string? tableName = null;
int writers = 32, seconds = 20, size = 2500;
for (var i = 0; i + 1 < args.Length; i += 2)
{
    switch (args[i])
    {
        case "--connection": connection = args[i + 1]; break;
        case "--kind": kind = args[i + 1]; break;
        case "--writers": writers = int.Parse(args[i + 1]); break;
        case "--seconds": seconds = int.Parse(args[i + 1]); break;
        case "--size": size = int.Parse(args[i + 1]); break;
        case "--row-key": rowKey = args[i + 1]; break;
        case "--table": tableName = args[i + 1]; break;
        default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
    }
}

var run = Guid.NewGuid().ToString("N")[..8];
var payload = new byte[size];
Random.Shared.NextBytes(payload);
Func<int, long, Task> write;
if (kind == "blob")
{
    var container = new BlobServiceClient(connection).GetBlobContainerClient("rawwrites" + run);
    await container.CreateIfNotExistsAsync();
    write = (w, n) => container.GetBlobClient($"{w}/{n}").UploadAsync(new BinaryData(payload), overwrite: true);
}
else
{
    var table = new TableServiceClient(connection).GetTableClient(tableName ?? "rawwrites" + run);
    await table.CreateIfNotExistsAsync();
    // Orleans stores grain state as binary properties of up to 64 KB; one is enough here.
    write = (w, n) => table.AddEntityAsync(new TableEntity($"p{run}_{w}_{n}", rowKey == "same" ? "state" : $"r{run}_{w}_{n}") { ["Data"] = payload });
}

var done = 0L;
var latencies = new List<double>[writers];
using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
var clock = Stopwatch.StartNew();
var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
{
    var mine = latencies[w] = [];
    for (long n = 0; !stop.IsCancellationRequested; n++)
    {
        var start = Stopwatch.GetTimestamp();
        await write(w, n);
        mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        Interlocked.Increment(ref done);
    }
})).ToList();

var last = 0L;
while (!stop.IsCancellationRequested)
{
    try { await Task.Delay(TimeSpan.FromSeconds(5), stop.Token); } catch (OperationCanceledException) { }
    var now = Interlocked.Read(ref done);
    Console.WriteLine($"{clock.Elapsed.TotalSeconds,5:F0} s  {(now - last) / 5.0,8:F0} writes/s");
    last = now;
}

await Task.WhenAll(tasks);
var all = latencies.SelectMany(l => l).Order().ToList();
Console.WriteLine($"{kind}, {writers} writers, {size} bytes: {done / clock.Elapsed.TotalSeconds:F0} writes/s over {clock.Elapsed.TotalSeconds:F0} s, " +
    $"p50 {all[all.Count / 2]:F1} ms, p99 {all[(int)(all.Count * 0.99)]:F1} ms");
return 0;
