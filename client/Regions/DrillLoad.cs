using System.Collections.Concurrent;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.Cli.Bench;

namespace OrleansKms.Cli.Regions;

/// <summary>
/// The drill's load: workers in the primary Region (Encrypt, then Decrypt of what it returned) and in the replica
/// Region (Decrypt of ciphertext made in the primary before the outage, Encrypt and GenerateDataKey with the replica
/// key), each request counted as served or failed for its Region in the phase current when it ended.
/// </summary>
internal sealed class DrillLoad(IAmazonKeyManagementService primary, IAmazonKeyManagementService replica, string keyId,
    IReadOnlyList<byte[]> primaryCiphertexts, int concurrency, TimeProvider time)
{
    public const int PrimaryRegion = 0, ReplicaRegion = 1;

    private const int Phases = 4;
    private const int MaxFailureKinds = 8;

    // A failed request is not retried at once: a stopped Region fails every request in microseconds, and a worker
    // that kept asking would only burn the CPU the other Region's workers need.
    private static readonly TimeSpan FailureBackoff = TimeSpan.FromMilliseconds(50);

    private readonly long[] _served = new long[2 * Phases];
    private readonly long[] _failed = new long[2 * Phases];
    private readonly ConcurrentDictionary<string, long>[] _failures =
        Enumerable.Range(0, 2 * Phases).Select(_ => new ConcurrentDictionary<string, long>()).ToArray();

    private readonly byte[] _plaintext = "kms drill failover"u8.ToArray();
    private volatile int _phase;
    private long _watchReplicaFrom = long.MaxValue;
    private long _firstReplicaSuccess = long.MaxValue;
    private Task _workers = Task.CompletedTask;

    /// <summary>Requests ending from now on count in <paramref name="phase"/> (a <see cref="DrillPhase"/>).</summary>
    public void EnterPhase(int phase) => _phase = phase;

    /// <summary>Starts the workers; they run until <paramref name="stop"/> is cancelled.</summary>
    public void Start(CancellationToken stop) => _workers = Task.WhenAll(Enumerable.Range(0, concurrency)
        .SelectMany(w => new[] { Task.Run(() => PrimaryWorkerAsync(stop)), Task.Run(() => ReplicaWorkerAsync(w, stop)) }));

    /// <summary>Waits for the workers to end, once their token is cancelled.</summary>
    public Task StoppedAsync() => _workers;

    /// <summary>From <paramref name="timestamp"/> on, notes when a replica request sent after it first succeeds.</summary>
    public void WatchReplicaFrom(long timestamp) => Interlocked.Exchange(ref _watchReplicaFrom, timestamp);

    /// <summary>The time from the watched moment to the end of the first replica request sent after it that succeeded.</summary>
    public TimeSpan? ReplicaFirstServed()
    {
        var first = Interlocked.Read(ref _firstReplicaSuccess);
        return first == long.MaxValue ? null : time.GetElapsedTime(Interlocked.Read(ref _watchReplicaFrom), first);
    }

    public RegionCounts Counts(int region, int phase, string regionName, string role)
    {
        var slot = region * Phases + phase;
        return new RegionCounts(regionName, role, Interlocked.Read(ref _served[slot]), Interlocked.Read(ref _failed[slot]),
            new SortedDictionary<string, long>(_failures[slot], StringComparer.Ordinal));
    }

    private async Task PrimaryWorkerAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var encrypted = await CallAsync(PrimaryRegion, ct => primary.EncryptAsync(Encrypt(), ct), stop);
            if (encrypted is null) continue;
            await CallAsync(PrimaryRegion, ct => primary.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob }, ct), stop);
        }
    }

    private async Task ReplicaWorkerAsync(int worker, CancellationToken stop)
    {
        for (var i = worker; !stop.IsCancellationRequested; i++)
        {
            switch (i % 3)
            {
                case 0:
                    var ciphertext = primaryCiphertexts[i / 3 % primaryCiphertexts.Count];
                    await CallAsync(ReplicaRegion, ct => replica.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) }, ct), stop);
                    break;
                case 1:
                    await CallAsync(ReplicaRegion, ct => replica.EncryptAsync(Encrypt(), ct), stop);
                    break;
                default:
                    await CallAsync(ReplicaRegion, ct => replica.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256 }, ct), stop);
                    break;
            }
        }
    }

    private EncryptRequest Encrypt() => new() { KeyId = keyId, Plaintext = new MemoryStream(_plaintext) };

    private async Task<T?> CallAsync<T>(int region, Func<CancellationToken, Task<T>> call, CancellationToken stop)
        where T : class
    {
        var sent = time.GetTimestamp();
        try
        {
            var answer = await call(stop);
            Served(region, sent);
            return answer;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e)
        {
            // Broadly: a stopped Region's closed connection reaches the caller as whatever the SDK makes of it
            // (HttpRequestException, IOException, or an AmazonServiceException wrapping one), and a drill counts it.
            Failed(region, LoadRunner.Describe(e, stop));
            await BackOffAsync(stop);
            return null;
        }
    }

    private void Served(int region, long sent)
    {
        Interlocked.Increment(ref _served[region * Phases + _phase]);
        if (region != ReplicaRegion || sent < Interlocked.Read(ref _watchReplicaFrom)) return;
        var now = time.GetTimestamp();
        var first = Interlocked.Read(ref _firstReplicaSuccess);
        while (now < first)
        {
            var seen = Interlocked.CompareExchange(ref _firstReplicaSuccess, now, first);
            if (seen == first) return;
            first = seen;
        }
    }

    private void Failed(int region, string kind)
    {
        var slot = region * Phases + _phase;
        Interlocked.Increment(ref _failed[slot]);
        var kinds = _failures[slot];
        if (kinds.Count >= MaxFailureKinds && !kinds.ContainsKey(kind)) kind = "(other errors)";
        kinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
    }

    private async Task BackOffAsync(CancellationToken stop)
    {
        try
        {
            await Task.Delay(FailureBackoff, time, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
