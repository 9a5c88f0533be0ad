using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.Cli.Bench;

namespace OrleansKms.Cli.Regions;

/// <summary>
/// What the drill waits for the replica Region to report about the multi-Region key: that the replica is Enabled,
/// that a rotation period set in the primary arrived, that it became the primary. Each wait polls the replica until
/// it reports the expected answer or --wait passes; errors while polling are remembered, not thrown (a Region just
/// started may refuse a request or two), and <see cref="LastAnswer"/> says what the replica last said.
/// </summary>
internal sealed class ReplicationWatch(IAmazonKeyManagementService primary, IAmazonKeyManagementService replica, string keyId,
    string replicaRegion, TimeSpan wait, TimeProvider time)
{
    public const int FirstRotationPeriod = 90, LastRotationPeriod = 2560;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);
    private int _periods;

    /// <summary>What the replica answered to the last poll of the last wait (an answer that was not yet the one expected, or an error).</summary>
    public string? LastAnswer { get; private set; }

    /// <summary>A rotation period other than the last one: 90, 91, ..., 2560, then 90 again.</summary>
    public int NextRotationPeriod() => FirstRotationPeriod + (_periods++ % (LastRotationPeriod - FirstRotationPeriod + 1));

    /// <summary>Changes a property the primary shares with its replicas: EnableKeyRotation with <paramref name="period"/> days.</summary>
    public Task ChangeRotationPeriodAsync(int period, CancellationToken cancel) =>
        primary.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId, RotationPeriodInDays = period }, cancel);

    /// <summary>The time until the replica's DescribeKey says Enabled; null when it did not within the wait.</summary>
    public Task<TimeSpan?> ReplicaEnabledAsync(CancellationToken cancel) => UntilAsync(async ct =>
    {
        var state = (await replica.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, ct)).KeyMetadata.KeyState;
        return state == KeyState.Enabled ? null : $"DescribeKey: KeyState {state}";
    }, cancel);

    /// <summary>The time until the replica's GetKeyRotationStatus reports <paramref name="period"/>; null when it did not within the wait.</summary>
    public Task<TimeSpan?> RotationPeriodSeenAsync(int period, CancellationToken cancel) => UntilAsync(async ct =>
    {
        var status = await replica.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId }, ct);
        return status.RotationPeriodInDays == period ? null
            : $"GetKeyRotationStatus: KeyRotationEnabled {status.KeyRotationEnabled}, RotationPeriodInDays {status.RotationPeriodInDays?.ToString() ?? "(none)"}";
    }, cancel);

    /// <summary>The time until the replica's DescribeKey says it is the PRIMARY, in its own Region; null when it did not within the wait.</summary>
    public Task<TimeSpan?> ReplicaIsPrimaryAsync(CancellationToken cancel) => UntilAsync(async ct =>
    {
        var metadata = (await replica.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, ct)).KeyMetadata;
        var config = metadata.MultiRegionConfiguration;
        return config?.MultiRegionKeyType == MultiRegionKeyType.PRIMARY && config.PrimaryKey?.Region == replicaRegion ? null
            : $"DescribeKey: KeyState {metadata.KeyState}, MultiRegionKeyType {config?.MultiRegionKeyType?.Value ?? "(none)"}, " +
              $"PrimaryKey.Region {config?.PrimaryKey?.Region ?? "(none)"}";
    }, cancel);

    /// <summary>Polls <paramref name="poll"/> (null: the expected answer; else what was seen) until it is seen or the wait passes.</summary>
    private async Task<TimeSpan?> UntilAsync(Func<CancellationToken, Task<string?>> poll, CancellationToken cancel)
    {
        var from = time.GetTimestamp();
        while (true)
        {
            try
            {
                LastAnswer = await poll(cancel);
                if (LastAnswer is null) return time.GetElapsedTime(from);
            }
            catch (Exception e) when (DrillScenario.NotCancelled(e, cancel))
            {
                LastAnswer = LoadRunner.Describe(e, cancel);
            }

            if (time.GetElapsedTime(from) >= wait) return null;
            await Task.Delay(PollInterval, time, cancel);
        }
    }
}
