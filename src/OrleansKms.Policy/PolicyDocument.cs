using OrleansKms.Policy.Parsing;

namespace OrleansKms.Policy;

/// <summary>
/// A parsed, validated and compiled policy document (a KMS key policy, an IAM identity policy or a role trust policy).
/// Immutable: compile once with <see cref="Parse"/>, then evaluate it from any number of threads.
/// </summary>
public sealed class PolicyDocument
{
    private readonly PolicyStatement[] _statements;

    internal PolicyDocument(PolicyKind kind, string text, string? version, string? id, PolicyStatement[] statements)
    {
        Kind = kind;
        Text = text;
        Version = version;
        Id = id;
        _statements = statements;
    }

    /// <summary>What the document is attached to.</summary>
    public PolicyKind Kind { get; }

    /// <summary>The document as given.</summary>
    public string Text { get; }

    /// <summary>The Version element ("2012-10-17" or "2008-10-17"), or null when absent (read as 2008-10-17: no policy variables).</summary>
    public string? Version { get; }

    /// <summary>The Id element, if any.</summary>
    public string? Id { get; }

    /// <summary>The statements, in document order.</summary>
    public IReadOnlyList<PolicyStatement> Statements => _statements;

    internal PolicyStatement[] CompiledStatements => _statements;

    /// <summary>
    /// Parses, validates and compiles <paramref name="json"/> as a policy of <paramref name="kind"/>.
    /// </summary>
    /// <exception cref="PolicyFormatException">AWS would refuse the document; the message is AWS's.</exception>
    public static PolicyDocument Parse(string json, PolicyKind kind)
    {
        ArgumentNullException.ThrowIfNull(json);
        return PolicyParser.Parse(json, kind);
    }

    /// <inheritdoc/>
    public override string ToString() => Text;
}
