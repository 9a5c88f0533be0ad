using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace OrleansKms.Grains;

/// <summary>The stored key ids of one catalog shard, sorted.</summary>
[GenerateSerializer]
public sealed class KeyCatalogShardState
{
    /// <summary>Ids of keys known to exist.</summary>
    [Id(0)] public List<string> KeyIds { get; set; } = [];

    /// <summary>
    /// Ids stored before their key's row (CreateKey's first write), sorted by id: each is listed once its key exists,
    /// and moved into <see cref="KeyIds"/> by the shard's sweep.
    /// </summary>
    [Id(1)] public List<PendingKeyId> Pending { get; set; } = [];

    /// <summary>Split into the shards of one more hex digit: holds nothing, and hands every call on to them.</summary>
    [Id(2)] public bool Split { get; set; }
}

/// <summary>A key id stored by CreateKey before the key's own row, and when.</summary>
[GenerateSerializer]
public sealed record PendingKeyId([property: Id(0)] string KeyId, [property: Id(1)] DateTimeOffset Since);

/// <summary>
/// One shard of a <see cref="KeyCatalogGrain"/>: sorted key ids, written whole on each change.
/// <para>
/// CreateKey stores its key id here as <em>pending</em> before it writes the key's row, and answers once that row is
/// written: two writes, and no reminder. A pending id is listed only if its key exists (asked of the key grain), so a
/// CreateKey that failed or died between the two writes lists nothing, and one that answered is always listed. The
/// next write that adds ids moves the pending ids of keys that exist by then into <see cref="KeyCatalogShardState.KeyIds"/>
/// and drops those whose key never appeared within <see cref="AbandonedAfter"/>; a shard that stored nothing for a
/// <see cref="SweepPeriod"/> does so in a write of its own (the sweep), or, while CreateKeys keep coming to the silo's
/// shards, once its oldest pending id is <see cref="ConfirmUnderLoadAfter"/> old. So under load a CreateKey costs its
/// shard one write, not two.
/// </para>
/// <para>
/// Group commit: the grain is reentrant, and changes that arrive while a write is in flight wait in a queue and are
/// stored together by the next write. Each call answers only once the write holding its change has landed; a failed
/// write fails every call of its batch and changes nothing. The shard lists itself in the catalog before it stores its
/// first id, and unlists itself after it has stored itself empty, both from the one loop that writes.
/// </para>
/// <para>
/// A shard that holds more than <see cref="KeyCatalog.SplitAbove"/> ids after a write splits (KeyCatalogShardGrain.Split.cs).
/// </para>
/// </summary>
[Reentrant]
public sealed partial class KeyCatalogShardGrain(
    [PersistentState("catalog-shard", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyCatalogShardState> state,
    [FromKeyedServices(KmsTime.ServiceKey)] TimeProvider time,
    CatalogActivity activity,
    ILogger<KeyCatalogShardGrain> logger)
    : Grain, IKeyCatalogShardGrain
{
    /// <summary>How often pending ids are confirmed.</summary>
    public static readonly TimeSpan SweepPeriod = TimeSpan.FromSeconds(2);

    /// <summary>
    /// While CreateKeys keep coming (some shard of this silo stored a pending id since the last tick), a shard waits this
    /// long before it confirms its pending ids in a write of its own: its next CreateKey's write confirms them for free.
    /// </summary>
    public static readonly TimeSpan ConfirmUnderLoadAfter = TimeSpan.FromMinutes(1);

    /// <summary>A pending id whose key does not exist this long after is dropped: no CreateKey runs for an hour.</summary>
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromHours(1);

    private readonly List<Change> _queue = [];

    /// <summary>One write at a time: the batching loop's and the catalog's <see cref="MoveInAsync"/>.</summary>
    private readonly SemaphoreSlim _write = new(1, 1);

    private bool _draining;

    /// <summary>Whether a write landed since the sweep's last tick (and so settled the pending ids it could).</summary>
    private bool _storedSinceSweep;

    /// <summary>The silo's count of stored pending ids at the sweep's last tick.</summary>
    private long _activitySeen = -1;

    /// <summary>True once this activation has made sure the catalog lists this shard (and it has not unlisted itself since).</summary>
    private bool _listed;

    /// <summary>The state as stored: what a listing sees while a write is in flight. Never changed in place.</summary>
    private KeyCatalogShardState? _committed;

    private IGrainTimer? _sweep;

    private KeyCatalogShardState Committed => _committed ??= state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Committed.Pending.Count > 0) StartSweep();
        return Task.CompletedTask;
    }

    public Task AddAsync(IReadOnlyList<string> keyIds) =>
        keyIds.Count == 0 ? Task.CompletedTask
        : IsSplit ? HandOnAsync(new Change(ChangeKind.Add, keyIds))
        : Enqueue(new Change(ChangeKind.Add, keyIds));

    public async Task AddPendingAsync(string keyId)
    {
        if (IsSplit)
        {
            await HandOnAsync(new Change(ChangeKind.AddPending, [keyId]));
            return;
        }

        await Enqueue(new Change(ChangeKind.AddPending, [keyId]));
        activity.PendingStored();
        StartSweep();
    }

    public Task<int> RemoveAsync(string keyId) => IsSplit ? HandOnAsync(new Change(ChangeKind.Remove, [keyId])) : Enqueue(new Change(ChangeKind.Remove, [keyId]));

    /// <summary>Confirmed ids and pending ids of existing keys, merged in order (a split shard's: its children's).</summary>
    public async Task<IReadOnlyList<string>> ListAsync(int limit, string? after)
    {
        if (IsSplit) return await ListChildrenAsync(limit, after);
        var s = Committed;
        var page = new List<string>(Math.Min(Math.Max(limit, 0), 1001));
        int i = SortedList.IndexAfter(s.KeyIds, after, Id), j = SortedList.IndexAfter(s.Pending, after, p => p.KeyId);
        while (page.Count < limit && (i < s.KeyIds.Count || j < s.Pending.Count))
        {
            if (j >= s.Pending.Count || (i < s.KeyIds.Count && string.CompareOrdinal(s.KeyIds[i], s.Pending[j].KeyId) < 0))
                page.Add(s.KeyIds[i++]);
            else if (await ExistsAsync(s.Pending[j++].KeyId))
                page.Add(s.Pending[j - 1].KeyId);
        }

        return page;
    }

    public async Task MoveInAsync(IReadOnlyList<string> keyIds)
    {
        await _write.WaitAsync();
        try
        {
            await StoreAsync(Apply(Committed, [new Change(ChangeKind.Add, keyIds)], time.GetUtcNow()));
        }
        finally
        {
            _write.Release();
        }
    }

    public async Task ReplaceAsync(IReadOnlyList<string> keyIds, IReadOnlyList<KeyValuePair<string, DateTimeOffset>> pending)
    {
        await _write.WaitAsync();
        try
        {
            await StoreAsync(new KeyCatalogShardState { KeyIds = [.. keyIds], Pending = [.. pending.Select(p => new PendingKeyId(p.Key, p.Value))] });
            _listed = false;
        }
        finally
        {
            _write.Release();
        }

        if (Committed.Pending.Count > 0) StartSweep();
    }

    private static string Id(string keyId) => keyId;

    /// <summary>Whether the key's row is stored (the key grain's committed state; asked without waiting for its turn).</summary>
    private async Task<bool> ExistsAsync(string keyId) =>
        await GrainFactory.GetGrain<IKeyGrain>(new KeyArn(Region, AccountId, keyId).Value).GetBillingFactsAsync() is not null;

    private void StartSweep() =>
        _sweep ??= this.RegisterGrainTimer(SweepAsync, new GrainTimerCreationOptions(SweepPeriod, SweepPeriod) { Interleave = true });

    /// <summary>
    /// Settles the pending ids of a shard that stored nothing since the last tick (a shard that stores settles them in
    /// that write, <see cref="StoreBatchAsync"/>); stops once nothing is pending. While CreateKeys keep coming to this
    /// silo's shards, it waits until its oldest pending id is <see cref="ConfirmUnderLoadAfter"/> old: with many shards
    /// a shard's CreateKeys come seconds apart, and a write of its own between two of them would double the shard's
    /// writes.
    /// </summary>
    private async Task SweepAsync(CancellationToken cancel)
    {
        if (Committed.Pending.Count == 0)
        {
            _sweep?.Dispose();
            _sweep = null;
            return;
        }

        var seen = activity.PendingIdsStored;
        var busy = seen != _activitySeen;
        _activitySeen = seen;
        if (_storedSinceSweep)
        {
            _storedSinceSweep = false;
            return;
        }

        if (busy && time.GetUtcNow() - Committed.Pending.Min(p => p.Since) < ConfirmUnderLoadAfter) return;

        var settled = await SettlePendingAsync();
        if (settled.Count > 0) await Task.WhenAll(settled.Select(Enqueue));
    }

    /// <summary>What to do with the stored pending ids: confirm those whose key exists, drop those abandoned.</summary>
    private async Task<List<Change>> SettlePendingAsync()
    {
        var now = time.GetUtcNow();
        var pending = Committed.Pending;
        if (pending.Count == 0) return [];
        var exists = await Task.WhenAll(pending.Select(p => ExistsAsync(p.KeyId)));
        var confirmed = pending.Where((_, k) => exists[k]).Select(p => p.KeyId).ToList();
        var abandoned = pending.Where((p, k) => !exists[k] && now - p.Since > AbandonedAfter).Select(p => p.KeyId).ToList();
        var changes = new List<Change>();
        if (confirmed.Count > 0) changes.Add(new Change(ChangeKind.Confirm, confirmed));
        if (abandoned.Count > 0) changes.Add(new Change(ChangeKind.Drop, abandoned));
        return changes;
    }

    private Task<int> Enqueue(Change change)
    {
        _queue.Add(change);
        if (!_draining) _ = DrainAsync();
        return change.Done.Task;
    }

    /// <summary>Stores the queue batch by batch until it is empty; runs once at a time, on the grain's scheduler.</summary>
    private async Task DrainAsync()
    {
        _draining = true;
        try
        {
            while (_queue.Count > 0) await StoreBatchAsync();
        }
        finally
        {
            _draining = false;
        }
    }

    private async Task StoreBatchAsync()
    {
        var adds = _queue.Any(c => c.Kind is ChangeKind.Add or ChangeKind.AddPending);
        if (!await TryAsync(_queue, () => LearnWhetherSplitAsync(adds))) return;
        if (IsSplit)
        {
            await HandOnQueueAsync();
            return;
        }

        _listed |= adds;
        // Pending ids stored earlier whose key now exists are confirmed by this write: no write of their own.
        var settled = adds ? await SettlePendingAsync() : [];
        var batch = _queue.ToList();
        _queue.Clear();
        batch.AddRange(settled);
        await _write.WaitAsync();
        try
        {
            if (!await TryAsync(batch, () => StoreAsync(Apply(Committed, batch, time.GetUtcNow())))) return;
            _storedSinceSweep = true;
        }
        finally
        {
            _write.Release();
        }

        var count = Committed.KeyIds.Count + Committed.Pending.Count;
        if (count == 0 && batch.Any(c => c.Kind is ChangeKind.Remove or ChangeKind.Drop))
        {
            _listed = false;
            if (!await TryAsync(batch, () => Catalog.UnlistShardAsync(ShardName))) return;
        }

        foreach (var change in batch) change.Done.TrySetResult(count);
        if (count > KeyCatalog.SplitAbove && KeyCatalog.DigitsOf(ShardName) < KeyCatalog.MaxDigits) await SplitAsync();
    }

    /// <summary>Runs <paramref name="step"/>; if it throws, fails every change of <paramref name="changes"/> (and drops them from the queue).</summary>
    private async Task<bool> TryAsync(List<Change> changes, Func<Task> step)
    {
        try
        {
            await step();
            return true;
        }
        catch (Exception e)
        {
            foreach (var change in changes.ToList()) change.Done.TrySetException(e);
            if (changes == _queue) _queue.Clear();
            return false;
        }
    }

    private async Task StoreAsync(KeyCatalogShardState next)
    {
        if (next == Committed) return;
        await state.CommitAsync(next);
        _committed = next;
    }

    /// <summary>The state after the changes, in order; the same object when they change nothing.</summary>
    private static KeyCatalogShardState Apply(KeyCatalogShardState s, IEnumerable<Change> changes, DateTimeOffset now)
    {
        List<string> ids = s.KeyIds;
        List<PendingKeyId> pending = s.Pending;
        foreach (var change in changes)
        {
            foreach (var keyId in change.KeyIds)
            {
                var wasPending = SortedList.Without(pending, keyId, p => p.KeyId);
                switch (change.Kind)
                {
                    case ChangeKind.Add:
                        ids = SortedList.With(ids, keyId, Id) ?? ids;
                        pending = wasPending ?? pending;
                        break;
                    case ChangeKind.AddPending when SortedList.IndexAfter(ids, keyId, Id) is var at && (at == 0 || ids[at - 1] != keyId):
                        pending = wasPending is null ? SortedList.With(pending, new PendingKeyId(keyId, now), p => p.KeyId) ?? pending : pending;
                        break;
                    case ChangeKind.Confirm when wasPending is not null:
                        ids = SortedList.With(ids, keyId, Id) ?? ids;
                        pending = wasPending;
                        break;
                    case ChangeKind.Remove:
                        ids = SortedList.Without(ids, keyId, Id) ?? ids;
                        pending = wasPending ?? pending;
                        break;
                    case ChangeKind.Drop:
                        pending = wasPending ?? pending;
                        break;
                }
            }
        }

        return ids == s.KeyIds && pending == s.Pending ? s : new KeyCatalogShardState { KeyIds = ids, Pending = pending };
    }

    private string CatalogKey => this.GetPrimaryKeyString()[..this.GetPrimaryKeyString().LastIndexOf('/')];

    private string ShardName => this.GetPrimaryKeyString()[(this.GetPrimaryKeyString().LastIndexOf('/') + 1)..];

    private string AccountId => CatalogKey[..CatalogKey.IndexOf('/')];

    private string Region => CatalogKey[(CatalogKey.IndexOf('/') + 1)..];

    private IKeyCatalogGrain Catalog => GrainFactory.GetGrain<IKeyCatalogGrain>(CatalogKey);

    private enum ChangeKind
    {
        Add,
        AddPending,
        Confirm,
        Remove,
        Drop,
    }

    /// <summary>One call's change; answered with the number of ids stored after it.</summary>
    private sealed record Change(ChangeKind Kind, IReadOnlyList<string> KeyIds)
    {
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
