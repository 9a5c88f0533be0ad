using System.Collections.Frozen;

namespace OrleansKms.Policy.Matching;

/// <summary>
/// The Action (or NotAction) of a statement: exact names in a case-insensitive set, wildcard patterns compiled,
/// so the common "is kms:Encrypt listed" question is one hash lookup.
/// </summary>
internal sealed class ActionSet
{
    private readonly FrozenSet<string> _exact;
    private readonly GlobPattern[] _patterns;
    private readonly bool _everything;

    public ActionSet(IReadOnlyList<string> actions, bool negated)
    {
        Negated = negated;
        _everything = actions.Any(a => a == "*");
        _exact = actions.Where(a => a.IndexOfAny(['*', '?']) < 0).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _patterns = [.. actions.Where(a => a.IndexOfAny(['*', '?']) >= 0).Select(a => GlobPattern.Compile(a, GlobMode.Action))];
    }

    public bool Negated { get; }

    /// <summary>Whether the statement applies to <paramref name="action"/> (NotAction: every action not listed).</summary>
    public bool Applies(string action) => Listed(action) != Negated;

    private bool Listed(string action)
    {
        if (_everything || _exact.Contains(action)) return true;
        foreach (var p in _patterns)
        {
            if (p.IsMatch(action)) return true;
        }

        return false;
    }
}
