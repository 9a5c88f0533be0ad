using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using OrleansKms.Cli.Bench;

namespace OrleansKms.Cli.Regions;

/// <summary>A drill step failed in a way that ends the drill; the message names the step and what the service said.</summary>
internal sealed class DrillException(string message) : Exception(message);

/// <summary>
/// One failover drill, start to end: the multi-Region key and its replica, the load in both Regions with lag probes,
/// the primary's outage (1/3 to 2/3 of the duration), the change queued while the replica is stopped, and the move
/// of the primary to the replica Region. Progress lines go to <paramref name="progress"/> (none when null).
/// </summary>
internal sealed class DrillScenario(DrillOptions options, TextWriter? progress, TextWriter error, TimeProvider time)
{
    private const int Ciphertexts = 8;

    private readonly long[] _phaseStarts = new long[DrillPhase.Names.Length + 1];
    private readonly DateTimeOffset[] _phaseStartTimes = new DateTimeOffset[DrillPhase.Names.Length + 1];
    private long _loadStarted;

    private string P => options.Primary;

    private string R => options.Replica;

    /// <summary>False for the cancellation of <paramref name="cancel"/> itself: every other exception is the service's answer.</summary>
    public static bool NotCancelled(Exception e, CancellationToken cancel) => e is not OperationCanceledException || !cancel.IsCancellationRequested;

    public async Task<DrillResults> RunAsync(CancellationToken cancel)
    {
        using var http = new HttpClient();
        using var primary = Client(P);
        using var replica = Client(R);
        var regions = new DrillRegions(http, options, time);
        try
        {
            return await RunAsync(primary, replica, regions, cancel);
        }
        finally
        {
            await regions.RestoreAsync(error);
        }
    }

    private async Task<DrillResults> RunAsync(IAmazonKeyManagementService primary, IAmazonKeyManagementService replica, DrillRegions regions, CancellationToken cancel)
    {
        await regions.CheckAsync(cancel);
        Say($"Setting up: CreateKey (MultiRegion) in {P}, ReplicateKey to {R}...");
        var keyId = await CreateReplicatedKeyAsync(primary, cancel);
        var watch = new ReplicationWatch(primary, replica, keyId, R, options.Wait, time);
        var enabled = await watch.ReplicaEnabledAsync(cancel)
            ?? throw new DrillException($"the replica of {keyId} in {R} was not Enabled within {options.Wait.TotalSeconds:0.###} s; it last answered {watch.LastAnswer}");
        var ciphertexts = await CiphertextsAsync(primary, replica, keyId, cancel);
        Say($"Key {keyId}: replica Enabled in {R} after {enabled.TotalMilliseconds:0.#} ms.");

        var load = new DrillLoad(primary, replica, keyId, ciphertexts, options.Concurrency, time);
        var probes = new LagProbes(watch, time);
        var (outage, queued) = await UnderLoadAsync(load, probes, regions, watch, cancel);
        var move = await MovePrimaryAsync(primary, watch, keyId, cancel);
        return new DrillResults(options.Connection.Endpoint.ToString(), P, R, keyId, options.Concurrency, options.Duration.TotalSeconds,
            _phaseStartTimes[0], Ms(enabled), Phases(load), probes.Result(), outage, queued, move);
    }

    /// <summary>The timed part: the load runs from start to end, lag probes while the primary is up, the outages between.</summary>
    private async Task<(OutageResult, QueuedChangeResult)> UnderLoadAsync(DrillLoad load, LagProbes probes, DrillRegions regions,
        ReplicationWatch watch, CancellationToken cancel)
    {
        using var stopLoad = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        _loadStarted = EnterPhase(load, DrillPhase.Before);
        Say($"load: {options.Concurrency} {(options.Concurrency == 1 ? "worker" : "workers")} in {P} and {options.Concurrency} in {R} for {options.Duration.TotalSeconds:0.###} s; lag probes while {P} is up");
        load.Start(stopLoad.Token);
        try
        {
            await probes.RunUntilAsync(At(1.0 / 3), cancel);
            var outage = await PrimaryOutageAsync(load, regions, cancel);
            var queued = await QueuedChangeAsync(load, regions, watch, cancel);
            await probes.RunUntilAsync(At(1), cancel);
            return (outage, queued);
        }
        finally
        {
            await stopLoad.CancelAsync();
            await load.StoppedAsync();
            Mark(DrillPhase.Names.Length);
        }
    }

    private async Task<string> CreateReplicatedKeyAsync(IAmazonKeyManagementService primary, CancellationToken cancel)
    {
        var created = await StepAsync($"CreateKey MultiRegion=true in {P}", () =>
            primary.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Description = "kms drill failover" }, cancel), cancel);
        var keyId = created.KeyMetadata.KeyId;
        if (!keyId.StartsWith("mrk-", StringComparison.Ordinal))
            throw new DrillException($"CreateKey MultiRegion=true in {P} answered key id {keyId}; a multi-Region key's id starts with mrk-.");
        await StepAsync($"ReplicateKey {keyId} ReplicaRegion={R} in {P}", () =>
            primary.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = keyId, ReplicaRegion = R }, cancel), cancel);
        return keyId;
    }

    /// <summary>Ciphertexts made in the primary, which the replica decrypts through the outage; one is decrypted now to be sure it can.</summary>
    private async Task<IReadOnlyList<byte[]>> CiphertextsAsync(IAmazonKeyManagementService primary, IAmazonKeyManagementService replica, string keyId, CancellationToken cancel)
    {
        var blobs = new List<byte[]>();
        for (var i = 0; i < Ciphertexts; i++)
        {
            var encrypted = await StepAsync($"Encrypt with {keyId} in {P}", () => primary.EncryptAsync(
                new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([(byte)i]) }, cancel), cancel);
            blobs.Add(encrypted.CiphertextBlob.ToArray());
        }

        await StepAsync($"Decrypt in {R} of ciphertext made with {keyId} in {P}", () =>
            replica.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blobs[0]) }, cancel), cancel);
        return blobs;
    }

    private async Task<OutageResult> PrimaryOutageAsync(DrillLoad load, DrillRegions regions, CancellationToken cancel)
    {
        var stopAsked = EnterPhase(load, DrillPhase.PrimaryOutage);
        load.WatchReplicaFrom(stopAsked);
        Say($"stopping {P} (signed for {R})...");
        await regions.StopAsync(P, cancel);
        var stopTook = time.GetElapsedTime(stopAsked);
        Say($"{P} stopped ({stopTook.TotalMilliseconds:0} ms); {R} served its first request {Describe(load.ReplicaFirstServed())} after the stop was asked for");
        await DelayUntilAsync(At(2.0 / 3), cancel);
        Say($"starting {P}...");
        await regions.StartAsync(P, cancel);
        var started = EnterPhase(load, DrillPhase.ReplicaOutage);
        return new OutageResult(Seconds(stopAsked), Ms(stopTook), Seconds(started), load.ReplicaFirstServed() is { } first ? Ms(first) : null);
    }

    private async Task<QueuedChangeResult> QueuedChangeAsync(DrillLoad load, DrillRegions regions, ReplicationWatch watch, CancellationToken cancel)
    {
        Say($"{P} running; stopping {R} (signed for {P}) to show queued replication...");
        await regions.StopAsync(R, cancel);
        var period = watch.NextRotationPeriod();
        var changed = time.GetTimestamp();
        string? failed = null;
        try
        {
            await watch.ChangeRotationPeriodAsync(period, cancel);
        }
        catch (Exception e) when (NotCancelled(e, cancel))
        {
            failed = $"EnableKeyRotation RotationPeriodInDays={period} in {P} while {R} was stopped: {LoadRunner.Describe(e, cancel)}";
        }

        Say($"EnableKeyRotation RotationPeriodInDays={period} in {P}{(failed is null ? "" : " failed")}; starting {R}...");
        await regions.StartAsync(R, cancel);
        var replicaStarted = EnterPhase(load, DrillPhase.After);
        var seen = failed is null ? await watch.RotationPeriodSeenAsync(period, cancel) : null;
        if (failed is null && seen is null)
            failed = $"{R} did not report RotationPeriodInDays {period} within {options.Wait.TotalSeconds:0.###} s of starting; it last answered {watch.LastAnswer}";
        Say(seen is null ? $"the queued change did not arrive: {failed}" : $"the queued change arrived in {R} {seen.Value.TotalMilliseconds:0.#} ms after it started");
        return new QueuedChangeResult(period, Seconds(changed), Seconds(replicaStarted), seen is not null,
            seen is { } s ? Ms(s) : null, seen is { } t ? Ms(time.GetElapsedTime(changed, replicaStarted) + t) : null, failed);
    }

    private async Task<PrimaryMoveResult> MovePrimaryAsync(IAmazonKeyManagementService primary, ReplicationWatch watch, string keyId, CancellationToken cancel)
    {
        Say($"load stopped; UpdatePrimaryRegion {keyId} PrimaryRegion={R} in {P}...");
        var asked = time.GetTimestamp();
        try
        {
            await primary.UpdatePrimaryRegionAsync(new UpdatePrimaryRegionRequest { KeyId = keyId, PrimaryRegion = R }, cancel);
        }
        catch (Exception e) when (NotCancelled(e, cancel))
        {
            return new PrimaryMoveResult(R, false, null, $"UpdatePrimaryRegion {keyId} PrimaryRegion={R} in {P}: {LoadRunner.Describe(e, cancel)}");
        }

        if (await watch.ReplicaIsPrimaryAsync(cancel) is null)
            return new PrimaryMoveResult(R, false, null, $"{R} did not report itself PRIMARY within {options.Wait.TotalSeconds:0.###} s; it last answered {watch.LastAnswer}");
        return new PrimaryMoveResult(R, true, Ms(time.GetElapsedTime(asked)), null);
    }

    private List<PhaseResult> Phases(DrillLoad load) => DrillPhase.Names.Select((name, p) => new PhaseResult(name,
        _phaseStartTimes[p], _phaseStartTimes[p + 1], Seconds(_phaseStarts[p]), Seconds(_phaseStarts[p + 1]),
        load.Counts(DrillLoad.PrimaryRegion, p, P, "primary"), load.Counts(DrillLoad.ReplicaRegion, p, R, "replica"))).ToList();

    private long EnterPhase(DrillLoad load, int phase)
    {
        load.EnterPhase(phase);
        return Mark(phase);
    }

    private long Mark(int boundary)
    {
        _phaseStartTimes[boundary] = time.GetUtcNow();
        return _phaseStarts[boundary] = time.GetTimestamp();
    }

    private static async Task<T> StepAsync<T>(string step, Func<Task<T>> call, CancellationToken cancel)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when ((e is AmazonServiceException or AmazonClientException or HttpRequestException) && NotCancelled(e, cancel))
        {
            throw new DrillException($"{step} failed: {LoadRunner.Describe(e, cancel)}");
        }
    }

    private AmazonKeyManagementServiceClient Client(string region) =>
        new(options.Connection.Credentials, new AmazonKeyManagementServiceConfig
        {
            ServiceURL = options.Connection.Endpoint.ToString().TrimEnd('/'),
            AuthenticationRegion = region,
            MaxErrorRetry = 0,
            Timeout = TimeSpan.FromSeconds(10),
            MaxConnectionsPerServer = options.Concurrency + 2,
        });

    private long At(double fraction) => _loadStarted + (long)(options.Duration.TotalSeconds * fraction * time.TimestampFrequency);

    private async Task DelayUntilAsync(long until, CancellationToken cancel)
    {
        var now = time.GetTimestamp();
        if (until > now) await Task.Delay(time.GetElapsedTime(now, until), time, cancel);
    }

    private double Seconds(long timestamp) => Math.Round(time.GetElapsedTime(_loadStarted, timestamp).TotalSeconds, 3);

    private static double Ms(TimeSpan span) => Math.Round(span.TotalMilliseconds, 3);

    private static string Describe(TimeSpan? span) => span is { } s ? $"{s.TotalMilliseconds:0.#} ms" : "(not yet)";

    private void Say(string line) =>
        progress?.WriteLine(_loadStarted == 0 ? line : $"[{time.GetElapsedTime(_loadStarted).TotalSeconds,7:0.0} s] {line}");
}
