using System.Buffers;
using OrleansKms.Policy.Evaluation;

namespace OrleansKms.Policy.Matching;

/// <summary>What comparing a request value with a policy value found.</summary>
internal enum Outcome : byte
{
    NoMatch,
    Match,

    /// <summary>The comparison cannot be made: a policy variable has no value, or the request value is not of the operator's type.</summary>
    Invalid,
}

/// <summary>
/// A policy string that may hold policy variables (Version 2012-10-17 only): ${aws:username}, ${aws:PrincipalTag/KEY},
/// any request key, ${key, 'default'}, and ${*}, ${?}, ${$} for a literal *, ? and $. A variable's value is taken
/// literally (its * and ? are not wildcards). A variable that has no value, and has no default, makes the comparison
/// Invalid: IAM then treats the statement as not applying. Without variables the pattern is compiled once.
/// </summary>
internal sealed class PolicyTemplate
{
    private readonly Piece[] _pieces;
    private readonly GlobMode _mode;
    private readonly GlobPattern? _static;
    private readonly int _literalLength;

    private PolicyTemplate(string raw, Piece[] pieces, GlobMode mode)
    {
        Raw = raw;
        _pieces = pieces;
        _mode = mode;
        if (pieces.All(p => p.Variable is null && !p.Broken))
        {
            var tokens = new List<GlobToken>(raw.Length);
            foreach (var p in pieces) Append(tokens, p, p.Text);
            _static = GlobPattern.FromTokens(GlobPattern.Finish(tokens, mode), mode);
        }

        _literalLength = pieces.Where(p => p.Variable is null).Sum(p => p.Text.Length);
    }

    public string Raw { get; }

    public static PolicyTemplate Compile(string raw, GlobMode mode, bool variables) =>
        new(raw, variables ? Split(raw) : [new Piece(raw, null, null, false, false)], mode);

    public Outcome Match(ReadOnlySpan<char> value, RequestContext request)
    {
        if (_static is not null) return _static.IsMatch(value) ? Outcome.Match : Outcome.NoMatch;
        var length = _literalLength;
        foreach (var p in _pieces)
        {
            if (p.Broken) return Outcome.Invalid;
            if (p.Variable is null) continue;
            var resolved = Resolve(p, request);
            if (resolved is null) return Outcome.Invalid;
            length += resolved.Length;
        }

        GlobToken[]? rented = null;
        var tokens = length <= 256 ? stackalloc GlobToken[length] : (rented = ArrayPool<GlobToken>.Shared.Rent(length)).AsSpan(0, length);
        try
        {
            var at = 0;
            foreach (var p in _pieces)
            {
                var text = p.Variable is null ? p.Text : Resolve(p, request)!;
                for (var i = 0; i < text.Length; i++) tokens[at++] = Token(p, text[i]);
            }

            if (_mode == GlobMode.Arn) GlobPattern.SettleArnStars(tokens);
            return GlobPattern.Run(tokens, value, GlobPattern.IgnoresCase(_mode)) ? Outcome.Match : Outcome.NoMatch;
        }
        finally
        {
            if (rented is not null) ArrayPool<GlobToken>.Shared.Return(rented);
        }
    }

    private static string? Resolve(Piece p, RequestContext request) =>
        ResolvedKey.Resolve(p.Variable!, request).SingleValue() ?? p.Default;

    private void Append(List<GlobToken> tokens, Piece p, string text)
    {
        foreach (var c in text) tokens.Add(Token(p, c));
    }

    private GlobToken Token(Piece p, char c)
    {
        // Only the policy's own text carries wildcards: a variable's value and ${*} / ${?} are literal.
        return p.Variable is not null || p.Escaped ? new(TokenKind.Literal, c) : GlobPattern.TokenFor(c, _mode);
    }

    /// <summary>One run of a template: literal text, an escaped character, a variable, or a malformed ${...}.</summary>
    private sealed record Piece(string Text, KeyRef? Variable, string? Default, bool Escaped, bool Broken);

    private static Piece[] Split(string raw)
    {
        var pieces = new List<Piece>();
        var start = 0;
        for (var open = raw.IndexOf("${", StringComparison.Ordinal); open >= 0; open = raw.IndexOf("${", start, StringComparison.Ordinal))
        {
            var close = CloseOf(raw, open + 2);
            if (close < 0) break;
            if (open > start) pieces.Add(new(raw[start..open], null, null, false, false));
            pieces.Add(Variable(raw[(open + 2)..close].Trim()));
            start = close + 1;
        }

        if (start < raw.Length) pieces.Add(new(raw[start..], null, null, false, false));
        return [.. pieces];
    }

    /// <summary>The '}' closing a variable, skipping any inside a quoted default value.</summary>
    private static int CloseOf(string raw, int from)
    {
        var quoted = false;
        for (var i = from; i < raw.Length; i++)
        {
            if (raw[i] == '\'') quoted = !quoted;
            else if (raw[i] == '}' && !quoted) return i;
        }

        return -1;
    }

    private static Piece Variable(string body)
    {
        if (body is "*" or "?" or "$") return new(body, null, null, true, false);
        var comma = body.IndexOf(',');
        var name = (comma < 0 ? body : body[..comma]).Trim();
        if (name.Length == 0 || name.Contains(' ')) return new(body, null, null, false, true);
        if (comma < 0) return new(body, KeyRef.Of(name), null, false, false);
        var fallback = body[(comma + 1)..].Trim();
        if (fallback.Length < 2 || fallback[0] != '\'' || fallback[^1] != '\'') return new(body, null, null, false, true);
        return new(body, KeyRef.Of(name), fallback[1..^1].Replace("''", "'", StringComparison.Ordinal), false, false);
    }
}
