using System.Collections.Concurrent;

namespace OrleansKms.Policy;

/// <summary>
/// Compiled policy documents by text: a key policy, an identity policy or a trust policy is parsed and compiled
/// once per process and shared by every request that carries the same text. Bounded: past
/// <see cref="Capacity"/> distinct documents it starts again empty (compiling is cheap; unbounded growth is not).
/// </summary>
public sealed class PolicyCache(int capacity = PolicyCache.DefaultCapacity)
{
    public const int DefaultCapacity = 10_000;
    private readonly ConcurrentDictionary<(string Text, PolicyKind Kind), PolicyDocument> _documents = new();

    /// <summary>The most distinct documents kept.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), "The capacity must be at least 1.");

    public int Count => _documents.Count;

    /// <summary>The compiled document; <see cref="PolicyFormatException"/> if the text is not a valid document of <paramref name="kind"/>.</summary>
    public PolicyDocument Get(string text, PolicyKind kind)
    {
        if (_documents.TryGetValue((text, kind), out var document)) return document;
        document = PolicyDocument.Parse(text, kind);
        if (_documents.Count >= Capacity) _documents.Clear();
        _documents[(text, kind)] = document;
        return document;
    }
}
