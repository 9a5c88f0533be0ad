using Orleans.Concurrency;

namespace OrleansKms.Grains;

/// <summary>The stored key ids of one catalog shard, sorted.</summary>
[GenerateSerializer]
public sealed class KeyCatalogShardState
{
    [Id(0)] public List<string> KeyIds { get; set; } = [];
}

/// <summary>
/// One shard of a <see cref="KeyCatalogGrain"/>: a sorted list of key ids, written whole on each change.
/// <para>
/// Group commit: the grain is reentrant, and adds and removals that arrive while a write is in flight wait in a queue
/// and are stored together by the next write. Each call answers only once the write holding its change has landed,
/// so nothing acknowledged is lost; a failed write fails every call of its batch and changes nothing.
/// </para>
/// <para>
/// The shard lists itself in the catalog before it stores its first id, and unlists itself after it has stored itself
/// empty; both are done by the one loop that writes, so an add cannot slip in between "stored empty" and "unlisted".
/// </para>
/// </summary>
[Reentrant]
public sealed class KeyCatalogShardGrain(
    [PersistentState("catalog-shard", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyCatalogShardState> state)
    : Grain, IKeyCatalogShardGrain
{
    private readonly List<Change> _queue = [];

    /// <summary>One write at a time: the batching loop's and the catalog's <see cref="MoveInAsync"/>.</summary>
    private readonly SemaphoreSlim _write = new(1, 1);

    private bool _draining;

    /// <summary>True once this activation has made sure the catalog lists this shard (and it has not unlisted itself since).</summary>
    private bool _listed;

    /// <summary>The ids as stored: what a listing sees while a write is in flight.</summary>
    private List<string>? _committed;

    private List<string> Committed => _committed ??= state.State.KeyIds;

    public Task AddAsync(IReadOnlyList<string> keyIds) => keyIds.Count == 0 ? Task.CompletedTask : Enqueue(new Change(keyIds, null));

    public Task<int> RemoveAsync(string keyId) => Enqueue(new Change([], keyId));

    public Task<IReadOnlyList<string>> ListAsync(int limit, string? after)
    {
        var ids = Committed;
        var start = SortedList.IndexAfter(ids, after, Id);
        return Task.FromResult<IReadOnlyList<string>>(ids.GetRange(start, Math.Max(Math.Min(limit, ids.Count - start), 0)));
    }

    public async Task MoveInAsync(IReadOnlyList<string> keyIds)
    {
        await _write.WaitAsync();
        try
        {
            await StoreAsync(Apply(Committed, [new Change(keyIds, null)]));
        }
        finally
        {
            _write.Release();
        }
    }

    private static string Id(string keyId) => keyId;

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
        if (!_listed && _queue.Any(c => c.Adds.Count > 0) && !await TryAsync(_queue, () => Catalog.ListShardAsync(ShardName))) return;
        _listed |= _queue.Any(c => c.Adds.Count > 0);
        var batch = _queue.ToList();
        _queue.Clear();
        await _write.WaitAsync();
        try
        {
            if (!await TryAsync(batch, () => StoreAsync(Apply(Committed, batch)))) return;
        }
        finally
        {
            _write.Release();
        }

        if (Committed.Count == 0 && batch.Any(c => c.Remove is not null))
        {
            _listed = false;
            if (!await TryAsync(batch, () => Catalog.UnlistShardAsync(ShardName))) return;
        }

        foreach (var change in batch) change.Done.TrySetResult(Committed.Count);
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

    private async Task StoreAsync(List<string> ids)
    {
        if (ids == Committed) return;
        await state.CommitAsync(new KeyCatalogShardState { KeyIds = ids });
        _committed = ids;
    }

    /// <summary>The ids after the changes, in order; the same list when they change nothing.</summary>
    private static List<string> Apply(List<string> ids, IEnumerable<Change> changes)
    {
        foreach (var change in changes)
        {
            foreach (var keyId in change.Adds) ids = SortedList.With(ids, keyId, Id) ?? ids;
            if (change.Remove is { } removed) ids = SortedList.Without(ids, removed, Id) ?? ids;
        }

        return ids;
    }

    private string ShardName => this.GetPrimaryKeyString()[(this.GetPrimaryKeyString().LastIndexOf('/') + 1)..];

    private IKeyCatalogGrain Catalog => GrainFactory.GetGrain<IKeyCatalogGrain>(this.GetPrimaryKeyString()[..this.GetPrimaryKeyString().LastIndexOf('/')]);

    /// <summary>One call's change: ids to add, or one id to remove; answered with the count stored after it.</summary>
    private sealed record Change(IReadOnlyList<string> Adds, string? Remove)
    {
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
