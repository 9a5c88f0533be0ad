#:project ../../src/OrleansKms.Gateway/OrleansKms.Gateway.csproj
// The usage meter's cost on the request path: time and bytes allocated per UsageMeter.Observe, in process (no HTTP),
// and the time of a flush that finds nothing to write. Run from the project root, under nice, two or three times:
//
//   dotnet run -c Release docs/bench/meter-observe.cs
//
// Rows: "same rows" cycles three answers of one key (Encrypt, DescribeKey, GenerateDataKeyPair: the three ways the
// meter finds a key ARN); "20,000 keys" cycles Encrypt answers of 20,000 keys, each already counted (a big table);
// "first request of a key" counts each of 200,000 keys once (a new counter each); "2 threads" is "same rows" from two
// threads at once. Uses the meter's public API only, so it runs against older commits too. docs/performance.md has figures.
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway;
using OrleansKms.Gateway.Auth;
using OrleansKms.Gateway.Cost;

const string Account = "111122223333";
static string Arn(int k) => $"arn:aws:kms:us-east-1:{Account}:key/{k:x8}-12ab-34cd-56ef-1234567890ab";

static KmsRequestRecord Answer(string operation, string body) => new()
{
    RequestId = "r",
    Time = DateTimeOffset.UtcNow,
    Operation = operation,
    Region = "us-east-1",
    Identity = KmsIdentity.Development,
    RequestBody = Encoding.UTF8.GetBytes("{}"),
    ResponseBody = Encoding.UTF8.GetBytes(body),
};

static UsageMeter NewMeter() => new(new MemoryUsageStore(), Options.Create(new KmsCostOptions()), NullLogger<UsageMeter>.Instance);

static (double Ns, double Bytes) Run(UsageMeter meter, KmsRequestRecord[] requests, int passes)
{
    var bytes = GC.GetAllocatedBytesForCurrentThread();
    var clock = Stopwatch.StartNew();
    for (var p = 0; p < passes; p++)
        foreach (var r in requests) meter.Observe(r);
    var n = (double)passes * requests.Length;
    return (clock.Elapsed.TotalNanoseconds / n, (GC.GetAllocatedBytesForCurrentThread() - bytes) / n);
}

static void Report(string name, IEnumerable<(double Ns, double Bytes)> runs)
{
    var all = runs.OrderBy(r => r.Ns).ToList();
    Console.WriteLine($"{name,-26} {all[all.Count / 2].Ns,7:F1} ns/request (min {all[0].Ns:F1}, max {all[^1].Ns:F1})  {all.Max(r => r.Bytes),7:F1} B/request");
}

KmsRequestRecord[] same =
[
    Answer("Encrypt", $$"""{"CiphertextBlob":"AAAA","KeyId":"{{Arn(1)}}","EncryptionAlgorithm":"SYMMETRIC_DEFAULT"}"""),
    Answer("DescribeKey", $$$"""{"KeyMetadata":{"AWSAccountId":"{{{Account}}}","KeyId":"00000001-12ab-34cd-56ef-1234567890ab","Arn":"{{{Arn(1)}}}"}}"""),
    Answer("GenerateDataKeyPair", $$"""{"KeyId":"{{Arn(1)}}","KeyPairSpec":"RSA_2048","PublicKey":"AAAA"}"""),
];
var many = Enumerable.Range(0, 20_000).Select(k => Answer("Encrypt", $$"""{"CiphertextBlob":"AAAA","KeyId":"{{Arn(k)}}"}""")).ToArray();
var firsts = Enumerable.Range(1_000_000, 200_000).Select(k => Answer("Encrypt", $$"""{"CiphertextBlob":"AAAA","KeyId":"{{Arn(k)}}"}""")).ToArray();

var meter = NewMeter();
Run(meter, same, 100_000); // warm up (tiered JIT)
Run(meter, many, 5);
Report("same rows", Enumerable.Range(0, 7).Select(_ => Run(meter, same, 300_000)));
Report("20,000 keys", Enumerable.Range(0, 7).Select(_ => Run(meter, many, 50)));
Report("first request of a key", Enumerable.Range(0, 3).Select(_ => Run(NewMeter(), firsts, 1)));
Report("2 threads, same rows", Enumerable.Range(0, 7).Select(_ =>
{
    var both = Enumerable.Range(0, 2).Select(_ => Task.Run(() => Run(meter, same, 300_000))).ToArray();
    Task.WaitAll(both);
    return (both.Max(t => t.Result.Ns), both.Max(t => t.Result.Bytes));
}));

var flushed = NewMeter();
Run(flushed, firsts, 1);
await flushed.FlushAsync(CancellationToken.None);
var flushClock = Stopwatch.StartNew();
await flushed.FlushAsync(CancellationToken.None);
Console.WriteLine($"a flush with nothing to write, {flushed.Tracked:N0} counters: {flushClock.Elapsed.TotalMilliseconds:F1} ms");
