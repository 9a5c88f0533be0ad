using System.Globalization;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansKms.Grains.Hosting;

/// <summary>
/// The grain storage of <c>--storage memory</c>, where the silo itself is the database. Like Orleans' memory storage it
/// keeps every row in a few store grains (so every silo of a cluster sees the same rows), but compactly: a row is its
/// grain id (one per grain, whatever its number of states; <see cref="MemoryRowTable"/>), the state's name (one shared
/// string) and Orleans' binary form of the state with a number for its ETag, where Orleans' own keeps a composed key
/// string, a GUID string ETag and, by default, Newtonsoft JSON with a <c>$type</c> on every object (a new symmetric
/// key: 1.7 KB of JSON for its row; docs/performance.md, "Memory"). Volatile, as <c>--storage memory</c> says at start-up.
/// </summary>
public sealed class CompactMemoryGrainStorage(IGrainFactory grains, Serializer serializer) : IGrainStorage
{
    /// <summary>How many store grains share the rows (Orleans' memory storage uses 10 as well).</summary>
    public const int StoreGrains = 10;

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var row = await StoreOf(grainId).ReadAsync(stateName, grainId);
        if (row is null) return;
        grainState.State = serializer.Deserialize<T>(row.Data);
        grainState.ETag = ETagText(row.ETag);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expected = ETagNumber(grainState.ETag);
        var etag = await StoreOf(grainId).WriteAsync(stateName, grainId, serializer.SerializeToArray(grainState.State), expected)
            ?? throw Conflict("Write", stateName, grainId, expected);
        grainState.ETag = ETagText(etag);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var expected = ETagNumber(grainState.ETag);
        if (!await StoreOf(grainId).ClearAsync(stateName, grainId, expected)) throw Conflict("Clear", stateName, grainId, expected);
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private IMemoryStoreGrain StoreOf(GrainId grainId) => grains.GetGrain<IMemoryStoreGrain>(grainId.GetUniformHashCode() % StoreGrains);

    /// <summary>Thrown here, not by the store grain: Orleans deactivates a grain that throws InconsistentStateException.</summary>
    private static InconsistentStateException Conflict(string operation, string stateName, GrainId grainId, long expected) =>
        new($"{operation} of {stateName} of {grainId}: ETag {expected} is not the stored row's.", "", ETagText(expected));

    private static string ETagText(long etag) => etag.ToString(CultureInfo.InvariantCulture);

    /// <summary>0 for a state never read or written (no ETag).</summary>
    private static long ETagNumber(string? etag) => etag is null ? 0 : long.Parse(etag, CultureInfo.InvariantCulture);
}

/// <summary>One stored row as read: the state's bytes and its ETag (a number that grows with every write of the row).</summary>
[GenerateSerializer, Immutable]
public sealed record MemoryRow([property: Id(0)] byte[] Data, [property: Id(1)] long ETag);

/// <summary>One of the store grains of <see cref="CompactMemoryGrainStorage"/>.</summary>
[Alias("OrleansKms.IMemoryStoreGrain")]
public interface IMemoryStoreGrain : IGrainWithIntegerKey
{
    [Alias("Read")]
    Task<MemoryRow?> ReadAsync(string stateName, GrainId grainId);

    /// <summary>Stores the row if <paramref name="expectedETag"/> is its ETag or there is no row; the new ETag, or null if not stored.</summary>
    [Alias("Write")]
    Task<long?> WriteAsync(string stateName, GrainId grainId, byte[] data, long expectedETag);

    /// <summary>Removes the row if <paramref name="expectedETag"/> is its ETag or there is no row; false if not removed.</summary>
    [Alias("Clear")]
    Task<bool> ClearAsync(string stateName, GrainId grainId, long expectedETag);
}

/// <summary>Holds its share of the rows for the silo's lifetime (never collected: its rows would go with it).</summary>
[KeepAlive]
public sealed class MemoryStoreGrain : Grain, IMemoryStoreGrain
{
    private readonly MemoryRowTable _rows = new();

    public Task<MemoryRow?> ReadAsync(string stateName, GrainId grainId) => Task.FromResult(_rows.Read(stateName, grainId));

    public Task<long?> WriteAsync(string stateName, GrainId grainId, byte[] data, long expectedETag) =>
        Task.FromResult(_rows.Write(stateName, grainId, data, expectedETag));

    public Task<bool> ClearAsync(string stateName, GrainId grainId, long expectedETag) =>
        Task.FromResult(_rows.Clear(stateName, grainId, expectedETag));
}
