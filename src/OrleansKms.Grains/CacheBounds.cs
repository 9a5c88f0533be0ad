using System.Collections.Concurrent;

namespace OrleansKms.Grains;

/// <summary>
/// The two bounds of a silo's per-key caches (<see cref="KeySnapshotCache"/>, <see cref="AliasCache"/>): an entry not
/// used for <see cref="KmsGrainOptions.CacheIdleTime"/> leaves at the next sweep, and past
/// <see cref="KmsGrainOptions.KeyCacheCapacity"/> entries the least recently used leave until a tenth is free. So a
/// silo holds the keys in use, not every key it ever served.
/// </summary>
internal static class CacheBounds
{
    /// <summary>How often the sweep runs: a quarter of the idle time, at most every 30 seconds.</summary>
    public static TimeSpan SweepPeriod(TimeSpan idle) => idle / 4 < TimeSpan.FromSeconds(30) ? idle / 4 : TimeSpan.FromSeconds(30);

    /// <summary>Removes the entries last used before <paramref name="usedBefore"/> (a TimeProvider timestamp), calling <paramref name="removed"/> for each.</summary>
    public static int RemoveIdle<TValue>(ConcurrentDictionary<string, TValue> entries, Func<TValue, long> lastUsed, long usedBefore, Action<TValue> removed)
    {
        var count = 0;
        foreach (var entry in entries)
        {
            if (lastUsed(entry.Value) >= usedBefore || !entries.TryRemove(entry)) continue;
            removed(entry.Value);
            count++;
        }

        return count;
    }

    /// <summary>When there are more than <paramref name="capacity"/> entries, removes the least recently used until a tenth of it is free.</summary>
    public static void TrimToCapacity<TValue>(ConcurrentDictionary<string, TValue> entries, Func<TValue, long> lastUsed, int capacity, Action<TValue> removed)
    {
        if (entries.Count <= capacity) return;
        var target = capacity - capacity / 10;
        var oldestFirst = entries.ToArray();
        Array.Sort(oldestFirst, (a, b) => lastUsed(a.Value).CompareTo(lastUsed(b.Value)));
        foreach (var entry in oldestFirst)
        {
            if (entries.Count <= target) break;
            if (entries.TryRemove(entry)) removed(entry.Value);
        }
    }
}
