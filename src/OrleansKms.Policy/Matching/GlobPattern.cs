namespace OrleansKms.Policy.Matching;

/// <summary>How a policy string is read as a pattern.</summary>
internal enum GlobMode : byte
{
    /// <summary>No wildcards, case-sensitive (StringEquals).</summary>
    Exact,

    /// <summary>No wildcards, case-insensitive (StringEqualsIgnoreCase).</summary>
    ExactIgnoreCase,

    /// <summary>* and ? over the whole string, case-sensitive (StringLike).</summary>
    Like,

    /// <summary>* and ? over the whole string, case-insensitive (Action, NotAction).</summary>
    Action,

    /// <summary>
    /// ARN matching (Resource, ArnLike, ArnEquals): wildcards stay inside their colon-separated segment, except a *
    /// that ends its segment, which IAM lets run across colons.
    /// </summary>
    Arn,
}

internal enum TokenKind : byte
{
    Literal,
    AnyChar,
    AnyCharInSegment,
    StarInSegment,
    Star,
}

internal readonly record struct GlobToken(TokenKind Kind, char Char);

/// <summary>
/// A compiled wildcard pattern. Common shapes (everything, an exact string, a prefix followed by *) take a fast path;
/// the rest run as a set-of-states automaton over the tokens, O(pattern × input) with no backtracking, so no
/// pattern can make matching slow.
/// </summary>
internal sealed class GlobPattern
{
    /// <summary>Above this many tokens the automaton's state sets come from the heap instead of the stack.</summary>
    private const int StackLimit = 256;

    private enum Shape : byte { Everything, Exact, Prefix, General }

    private readonly Shape _shape;
    private readonly string _literal;
    private readonly GlobToken[] _tokens;
    private readonly bool _ignoreCase;

    private GlobPattern(Shape shape, string literal, GlobToken[] tokens, bool ignoreCase)
    {
        _shape = shape;
        _literal = literal;
        _tokens = tokens;
        _ignoreCase = ignoreCase;
    }

    public static bool IgnoresCase(GlobMode mode) => mode is GlobMode.ExactIgnoreCase or GlobMode.Action;

    /// <summary>Compiles a pattern whose every * and ? is a wildcard (as the mode reads them).</summary>
    public static GlobPattern Compile(string pattern, GlobMode mode)
    {
        var tokens = new List<GlobToken>(pattern.Length);
        AppendPattern(tokens, pattern, mode);
        return FromTokens(Finish(tokens, mode), mode);
    }

    public static GlobPattern FromTokens(GlobToken[] tokens, GlobMode mode)
    {
        var ignoreCase = IgnoresCase(mode);
        var literalCount = 0;
        while (literalCount < tokens.Length && tokens[literalCount].Kind == TokenKind.Literal) literalCount++;
        var literal = new string([.. tokens.Take(literalCount).Select(t => t.Char)]);
        if (literalCount == tokens.Length) return new(Shape.Exact, literal, tokens, ignoreCase);
        if (literalCount == tokens.Length - 1 && tokens[^1].Kind == TokenKind.Star)
            return new(literalCount == 0 ? Shape.Everything : Shape.Prefix, literal, tokens, ignoreCase);
        return new(Shape.General, literal, tokens, ignoreCase);
    }

    /// <summary>Adds the tokens of policy text: in a wildcard mode * and ? are wildcards.</summary>
    public static void AppendPattern(List<GlobToken> tokens, ReadOnlySpan<char> text, GlobMode mode)
    {
        foreach (var c in text) tokens.Add(TokenFor(c, mode));
    }

    /// <summary>The token a character of policy text stands for in <paramref name="mode"/>.</summary>
    public static GlobToken TokenFor(char c, GlobMode mode)
    {
        if (mode is not (GlobMode.Like or GlobMode.Action or GlobMode.Arn)) return new(TokenKind.Literal, c);
        return c == '*' ? new(TokenKind.Star, c)
            : c == '?' ? new(mode == GlobMode.Arn ? TokenKind.AnyCharInSegment : TokenKind.AnyChar, c)
            : new(TokenKind.Literal, c);
    }

    /// <summary>
    /// Settles which wildcards may cross colons. Outside ARN mode all may. In ARN mode the five colons of
    /// arn:partition:service:region:account:resource bound the first five segments, where a wildcard stays inside its
    /// segment except a * that ends it (IAM lets that one run on); the resource segment runs to the end, colons
    /// included.
    /// </summary>
    public static GlobToken[] Finish(List<GlobToken> tokens, GlobMode mode)
    {
        var result = tokens.ToArray();
        if (mode == GlobMode.Arn) SettleArnStars(result);
        return result;
    }

    public static void SettleArnStars(Span<GlobToken> tokens)
    {
        var colons = 0;
        for (var i = 0; i < tokens.Length; i++)
        {
            var t = tokens[i];
            if (t is { Kind: TokenKind.Literal, Char: ':' }) colons++;
            var inResource = colons >= 5;
            if (t.Kind is TokenKind.AnyChar or TokenKind.AnyCharInSegment)
            {
                tokens[i] = new(inResource ? TokenKind.AnyChar : TokenKind.AnyCharInSegment, '?');
            }
            else if (t.Kind is TokenKind.Star or TokenKind.StarInSegment)
            {
                var endsSegment = i == tokens.Length - 1 || tokens[i + 1] is { Kind: TokenKind.Literal, Char: ':' };
                tokens[i] = new(inResource || endsSegment ? TokenKind.Star : TokenKind.StarInSegment, '*');
            }
        }
    }

    public bool IsMatch(ReadOnlySpan<char> value) => _shape switch
    {
        Shape.Everything => true,
        Shape.Exact => value.Equals(_literal, _ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal),
        Shape.Prefix => value.StartsWith(_literal, _ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal),
        _ => MatchGeneral(value),
    };

    /// <summary>The last value a general pattern was run over, and the answer: a policy meets the same key ARN request after request.</summary>
    private sealed class Memo(string value, bool result)
    {
        public readonly string Value = value;
        public readonly bool Result = result;
    }

    private const int MemoLimit = 512;
    private Memo? _memo;

    private bool MatchGeneral(ReadOnlySpan<char> value)
    {
        if (!value.StartsWith(_literal, _ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)) return false;
        var memo = _memo;
        if (memo is not null && value.SequenceEqual(memo.Value)) return memo.Result;
        var result = Run(_tokens, value, _ignoreCase);
        if (value.Length <= MemoLimit) _memo = new Memo(value.ToString(), result);
        return result;
    }

    /// <summary>Runs tokens over <paramref name="value"/> as a nondeterministic automaton (one state per token position).</summary>
    public static bool Run(ReadOnlySpan<GlobToken> tokens, ReadOnlySpan<char> value, bool ignoreCase)
    {
        var n = tokens.Length;
        Span<bool> current = n < StackLimit ? stackalloc bool[n + 1] : new bool[n + 1];
        Span<bool> next = n < StackLimit ? stackalloc bool[n + 1] : new bool[n + 1];
        current[0] = true;
        Close(tokens, current);
        foreach (var c in value)
        {
            next.Clear();
            var any = false;
            for (var k = 0; k < n; k++)
            {
                if (!current[k]) continue;
                var t = tokens[k];
                switch (t.Kind)
                {
                    case TokenKind.Star:
                        next[k] = any = true;
                        break;
                    case TokenKind.StarInSegment when c != ':':
                        next[k] = any = true;
                        break;
                    case TokenKind.AnyChar:
                    case TokenKind.AnyCharInSegment when c != ':':
                        next[k + 1] = any = true;
                        break;
                    case TokenKind.Literal when Same(c, t.Char, ignoreCase):
                        next[k + 1] = any = true;
                        break;
                }
            }

            if (!any) return false;
            Close(tokens, next);
            var swap = current;
            current = next;
            next = swap;
        }

        return current[n];
    }

    /// <summary>A star matches the empty string too: whoever stands before a star also stands after it.</summary>
    private static void Close(ReadOnlySpan<GlobToken> tokens, Span<bool> states)
    {
        for (var k = 0; k < tokens.Length; k++)
        {
            if (states[k] && tokens[k].Kind is TokenKind.Star or TokenKind.StarInSegment) states[k + 1] = true;
        }
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));
}
