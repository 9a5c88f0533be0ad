namespace OrleansKms.Grains;

/// <summary>
/// GetKeyLastUsage. Gateways see every successful cryptographic operation, keep the newest per key in memory and
/// report it here every few seconds (and when they stop), so no request waits on a storage write; the key keeps it
/// in a row of its own (<c>lastusage</c>), written only when a newer usage arrives. What a caller reads can be as old
/// as one gateway flush interval (plus the flush itself); a gateway that crashes loses at most that interval.
/// </summary>
public sealed partial class KeyGrain
{
    /// <summary>
    /// When this service began recording key usage: keys created earlier report it as their TrackingStartDate (their
    /// use before it is unknown), as AWS reports the later of its own tracking start and the key's creation.
    /// </summary>
    public static readonly DateTimeOffset LastUsageTrackingEpoch = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly SemaphoreSlim _lastUsageWrites = new(1, 1);

    public async Task RecordLastUsageAsync(KeyLastUsage usage)
    {
        await _lastUsageWrites.WaitAsync();
        try
        {
            if (!(_committed ?? state.State).Exists) return; // a key that is gone (or never was) keeps no usage
            var current = lastUsageState.State;
            if (current.LastUsage is { } known && known.Timestamp >= usage.Timestamp) return;
            lastUsageState.State = new KeyLastUsageState { LastUsage = usage };
            try
            {
                await lastUsageState.WriteStateAsync();
            }
            catch
            {
                lastUsageState.State = current;
                throw;
            }
        }
        finally
        {
            _lastUsageWrites.Release();
        }
    }

    /// <summary>A deleted key's usage row goes with it (a later key of the same id would otherwise inherit it).</summary>
    private async Task ClearLastUsageAsync()
    {
        await _lastUsageWrites.WaitAsync();
        try
        {
            if (lastUsageState.RecordExists) await lastUsageState.ClearStateAsync();
            lastUsageState.State = new KeyLastUsageState();
        }
        finally
        {
            _lastUsageWrites.Release();
        }
    }

    public Task<KeyLastUsageReport> GetLastUsageAsync(KmsCaller caller)
    {
        var key = Authorized(caller, "GetKeyLastUsage");
        var trackingStart = key.CreationDate > LastUsageTrackingEpoch ? key.CreationDate : LastUsageTrackingEpoch;
        return Task.FromResult(new KeyLastUsageReport(Arn.Value, lastUsageState.State.LastUsage, trackingStart, key.CreationDate));
    }
}

/// <summary>The key's last successful cryptographic operation, in a row of its own (see <see cref="KeyGrain.RecordLastUsageAsync"/>).</summary>
[GenerateSerializer]
public sealed class KeyLastUsageState
{
    [Id(0)] public KeyLastUsage? LastUsage { get; set; }
}
