namespace OrleansKms.Grains;

/// <summary>The stored row of a sharded catalog: which shards hold entries, in ordinal order.</summary>
public interface IShardedCatalogState
{
    List<string> Shards { get; set; }
}

/// <summary>
/// The skeleton the catalogs behind ListKeys and ListAliases share: their entries live in shard grains (so that no
/// stored row outgrows a storage entity), and the catalog's own row only lists the shards that hold any. A shard is
/// listed before anything is added to it and unlisted after it has become empty, so a crash in between leaves at
/// most an empty shard listed, which lists nothing.
/// </summary>
public abstract class ShardedCatalogGrain<TState, TShard>(IPersistentState<TState> state) : Grain
    where TState : class, IShardedCatalogState, new()
    where TShard : IGrainWithStringKey
{
    protected IReadOnlyList<string> Shards => state.State.Shards;

    /// <summary>The catalog's stored row.</summary>
    protected TState Stored => state.State;

    protected TShard Shard(string shard) => GrainFactory.GetGrain<TShard>(KeyCatalog.ShardGrainKey(this.GetPrimaryKeyString(), shard));

    /// <summary>Lists the shard if it is not listed yet, then adds through it.</summary>
    protected async Task AddThroughAsync(string shard, Func<TShard, Task> add)
    {
        if (SortedList.With(state.State.Shards, shard, s => s) is { } shards) await CommitAsync(shards);
        await add(Shard(shard));
    }

    /// <summary>Removes through the shard (which answers how many entries it still holds), and unlists it once empty.</summary>
    protected async Task RemoveThroughAsync(string shard, Func<TShard, Task<int>> remove)
    {
        if (await remove(Shard(shard)) > 0) return;
        if (SortedList.Without(state.State.Shards, shard, s => s) is { } shards) await CommitAsync(shards);
    }

    /// <summary>
    /// Moves the entries a catalog stored in its own row before it was sharded (<paramref name="unsharded"/>) into
    /// the shards, then empties that list; called on activation. Interrupted, it is simply done again.
    /// </summary>
    protected async Task MoveIntoShardsAsync<TEntry>(IReadOnlyCollection<TEntry> unsharded, Func<TEntry, string> shardOf, Func<TShard, IReadOnlyList<TEntry>, Task> add)
    {
        if (unsharded.Count == 0) return;
        var shards = state.State.Shards;
        foreach (var group in unsharded.GroupBy(shardOf))
        {
            await add(Shard(group.Key), group.ToList());
            shards = SortedList.With(shards, group.Key, s => s) ?? shards;
        }

        await CommitAsync(shards);
    }

    private Task CommitAsync(List<string> shards) => CommitAsync(WithShards(state.State, shards));

    /// <summary>Stores <paramref name="next"/> as the catalog's row (all or nothing).</summary>
    protected Task CommitAsync(TState next) => state.CommitAsync(next);

    /// <summary>The row <paramref name="current"/> with <paramref name="shards"/> listed instead; a catalog with more in its row keeps it.</summary>
    protected virtual TState WithShards(TState current, List<string> shards) => new() { Shards = shards };
}

/// <summary>Lists kept sorted (ordinal) by a key, changed by copy so that a state change commits all or nothing.</summary>
internal static class SortedList
{
    /// <summary>
    /// A copy of <paramref name="list"/> with <paramref name="item"/> in key order (replacing the item of the same key),
    /// or null if the list already holds an equal item.
    /// </summary>
    public static List<T>? With<T>(List<T> list, T item, Func<T, string> key)
    {
        var at = Find(list, key(item), key);
        if (at >= 0 && EqualityComparer<T>.Default.Equals(list[at], item)) return null;
        var copy = new List<T>(list.Count + 1);
        copy.AddRange(list);
        if (at >= 0) copy[at] = item;
        else copy.Insert(~at, item);
        return copy;
    }

    /// <summary>A copy of <paramref name="list"/> without the item of key <paramref name="itemKey"/>, or null if there is none.</summary>
    public static List<T>? Without<T>(List<T> list, string itemKey, Func<T, string> key)
    {
        var at = Find(list, itemKey, key);
        if (at < 0) return null;
        var copy = new List<T>(list);
        copy.RemoveAt(at);
        return copy;
    }

    /// <summary>Whether the sorted <paramref name="list"/> holds <paramref name="item"/>.</summary>
    public static bool Contains(List<string> list, string item) => Find(list, item, s => s) >= 0;

    /// <summary>The index of the first item whose key sorts after <paramref name="after"/> (0 when null).</summary>
    public static int IndexAfter<T>(List<T> list, string? after, Func<T, string> key)
    {
        if (after is null) return 0;
        var at = Find(list, after, key);
        return at >= 0 ? at + 1 : ~at;
    }

    /// <summary>Binary search by key: the index of the item, or the complement of where it would go.</summary>
    private static int Find<T>(List<T> list, string itemKey, Func<T, string> key)
    {
        int low = 0, high = list.Count - 1;
        while (low <= high)
        {
            var mid = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(key(list[mid]), itemKey);
            if (order == 0) return mid;
            if (order < 0) low = mid + 1;
            else high = mid - 1;
        }

        return ~low;
    }
}
