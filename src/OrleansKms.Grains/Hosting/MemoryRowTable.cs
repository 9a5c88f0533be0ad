namespace OrleansKms.Grains.Hosting;

/// <summary>
/// The rows of one store grain of <see cref="CompactMemoryGrainStorage"/>, kept for a small footprint since with
/// <c>--storage memory</c> the silo is the database (docs/performance.md, "Memory"). Rows are grouped by grain: a key
/// grain's rows (<c>key</c>, <c>lastusage</c>, ...) share one dictionary entry and one copy of its grain id, and the
/// grain type's bytes are shared by every grain of that type (each grain id arrives in its own deserialized copy).
/// A row is its state's name (one shared string per name), the state's bytes and its ETag: a number, from one counter
/// of the table, that grows with every write. Not thread-safe: the store grain's turns serialize the calls.
/// </summary>
public sealed class MemoryRowTable
{
    private readonly Dictionary<GrainId, Row[]> _grains = [];
    private readonly HashSet<GrainType> _grainTypes = [];
    private readonly HashSet<string> _stateNames = new(StringComparer.Ordinal);
    private long _lastETag;

    /// <summary>Rows stored.</summary>
    public int Count { get; private set; }

    /// <summary>Grains with at least one row.</summary>
    public int Grains => _grains.Count;

    /// <summary>The grain's row of <paramref name="stateName"/>, or null if it has none.</summary>
    public MemoryRow? Read(string stateName, GrainId grainId)
    {
        if (!_grains.TryGetValue(grainId, out var rows)) return null;
        var i = IndexOf(rows, stateName);
        return i < 0 ? null : new MemoryRow(rows[i].Data, rows[i].ETag);
    }

    /// <summary>
    /// Stores the row if <paramref name="expectedETag"/> is its ETag or there is no row (a store grain lost with its silo
    /// comes back empty, and the grains that had rows in it must still be able to write, as in Orleans' memory storage);
    /// the new ETag, or null if a stored row has another.
    /// </summary>
    public long? Write(string stateName, GrainId grainId, byte[] data, long expectedETag)
    {
        if (!_grains.TryGetValue(grainId, out var rows))
        {
            _grains.Add(Shared(grainId), [new Row(SharedName(stateName), data, ++_lastETag)]);
            Count++;
            return _lastETag;
        }

        var i = IndexOf(rows, stateName);
        if (i >= 0)
        {
            if (rows[i].ETag != expectedETag) return null;
            rows[i] = rows[i] with { Data = data, ETag = ++_lastETag };
            return _lastETag;
        }

        _grains[grainId] = [.. rows, new Row(SharedName(stateName), data, ++_lastETag)];
        Count++;
        return _lastETag;
    }

    /// <summary>Removes the row if <paramref name="expectedETag"/> is its ETag or there is no row; false if a stored row has another.</summary>
    public bool Clear(string stateName, GrainId grainId, long expectedETag)
    {
        if (!_grains.TryGetValue(grainId, out var rows)) return true;
        var i = IndexOf(rows, stateName);
        if (i < 0) return true;
        if (rows[i].ETag != expectedETag) return false;
        if (rows.Length == 1) _grains.Remove(grainId);
        else _grains[grainId] = [.. rows[..i], .. rows[(i + 1)..]];
        Count--;
        return true;
    }

    private static int IndexOf(Row[] rows, string stateName)
    {
        for (var i = 0; i < rows.Length; i++)
            if (string.Equals(rows[i].State, stateName, StringComparison.Ordinal)) return i;
        return -1;
    }

    /// <summary>The grain id with this table's copy of its type.</summary>
    private GrainId Shared(GrainId grainId)
    {
        if (_grainTypes.TryGetValue(grainId.Type, out var known)) return GrainId.Create(known, grainId.Key);
        _grainTypes.Add(grainId.Type);
        return grainId;
    }

    private string SharedName(string stateName)
    {
        if (_stateNames.TryGetValue(stateName, out var known)) return known;
        _stateNames.Add(stateName);
        return stateName;
    }

    private readonly record struct Row(string State, byte[] Data, long ETag);
}
