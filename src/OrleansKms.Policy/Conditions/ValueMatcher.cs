using OrleansKms.Policy.Evaluation;
using OrleansKms.Policy.Matching;

namespace OrleansKms.Policy.Conditions;

/// <summary>
/// Compares one request value with a condition's policy values, in the operator's own (not negated) sense:
/// Match when any policy value matches it. Policy values are parsed once at compile; one that does not parse as the
/// operator's type never matches. Invalid when the request value is not of the operator's type, or when no policy
/// value could be compared (every one holds a variable without a value).
/// </summary>
internal abstract class ValueMatcher
{
    public abstract Outcome MatchAny(in ResolvedKey key, int index, RequestContext request);

    public static ValueMatcher Create(ConditionOperator op, IReadOnlyList<string> values, bool variables) => op.Family switch
    {
        OperatorFamily.String => new StringMatcher(values, op.Like ? GlobMode.Like : op.IgnoreCase ? GlobMode.ExactIgnoreCase : GlobMode.Exact, variables, arn: false),
        OperatorFamily.Arn => new StringMatcher(values, GlobMode.Arn, variables, arn: true),
        OperatorFamily.Numeric => new NumericMatcher(values, op.Comparison),
        OperatorFamily.Date => new DateMatcher(values, op.Comparison),
        OperatorFamily.Bool => new BoolMatcher(values),
        OperatorFamily.Binary => new BinaryMatcher(values),
        OperatorFamily.Ip => new IpMatcher(values),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op.Family, "Null has no value matcher."),
    };

    protected static bool Compare(int order, Comparison comparison) => comparison switch
    {
        Comparison.Equal => order == 0,
        Comparison.Less => order < 0,
        Comparison.LessOrEqual => order <= 0,
        Comparison.Greater => order > 0,
        _ => order >= 0,
    };
}

/// <summary>
/// String and ARN operators. ArnEquals and ArnLike both match ARN patterns segment by segment (IAM treats them
/// alike), and a request value that is not an ARN cannot be compared.
/// </summary>
internal sealed class StringMatcher(IReadOnlyList<string> values, GlobMode mode, bool variables, bool arn) : ValueMatcher
{
    private readonly PolicyTemplate[] _values = [.. values.Select(v => PolicyTemplate.Compile(v, mode, variables))];

    public override Outcome MatchAny(in ResolvedKey key, int index, RequestContext request)
    {
        var value = key.GetString(index);
        if (arn && !LooksLikeArn(value)) return Outcome.Invalid;
        var compared = false;
        foreach (var template in _values)
        {
            var outcome = template.Match(value, request);
            if (outcome == Outcome.Match) return outcome;
            compared |= outcome == Outcome.NoMatch;
        }

        return compared ? Outcome.NoMatch : Outcome.Invalid;
    }

    private static bool LooksLikeArn(string value) =>
        value.StartsWith("arn:", StringComparison.Ordinal) && value.AsSpan().Count(':') >= 5;
}

internal sealed class NumericMatcher(IReadOnlyList<string> values, Comparison comparison) : ValueMatcher
{
    private readonly decimal[] _values = [.. values.Select(v => PolicyValues.TryParseNumber(v, out var n) ? (decimal?)n : null).OfType<decimal>()];

    public override Outcome MatchAny(in ResolvedKey key, int index, RequestContext request)
    {
        if (!key.TryGetNumber(index, out var number) || _values.Length == 0) return Outcome.Invalid;
        foreach (var v in _values)
        {
            if (Compare(number.CompareTo(v), comparison)) return Outcome.Match;
        }

        return Outcome.NoMatch;
    }
}

internal sealed class DateMatcher(IReadOnlyList<string> values, Comparison comparison) : ValueMatcher
{
    private readonly DateTimeOffset[] _values = [.. values.Select(v => PolicyValues.TryParseDate(v, out var d) ? (DateTimeOffset?)d : null).OfType<DateTimeOffset>()];

    public override Outcome MatchAny(in ResolvedKey key, int index, RequestContext request)
    {
        if (!key.TryGetDate(index, out var date) || _values.Length == 0) return Outcome.Invalid;
        foreach (var v in _values)
        {
            if (Compare(date.CompareTo(v), comparison)) return Outcome.Match;
        }

        return Outcome.NoMatch;
    }
}

internal sealed class BoolMatcher(IReadOnlyList<string> values) : ValueMatcher
{
    private readonly bool[] _values = [.. values.Select(v => bool.TryParse(v, out var b) ? (bool?)b : null).OfType<bool>()];

    public override Outcome MatchAny(in ResolvedKey key, int index, RequestContext request)
    {
        if (!bool.TryParse(key.GetString(index), out var value) || _values.Length == 0) return Outcome.Invalid;
        return Array.IndexOf(_values, value) >= 0 ? Outcome.Match : Outcome.NoMatch;
    }
}

/// <summary>BinaryEquals: the request's base64 value and the policy's are compared as the bytes they encode.</summary>
internal sealed class BinaryMatcher(IReadOnlyList<string> values) : ValueMatcher
{
    private readonly byte[][] _values = [.. values.Select(Decode).OfType<byte[]>()];

    public override Outcome MatchAny(in ResolvedKey key, int index, RequestContext request)
    {
        var text = key.GetString(index);
        var buffer = text.Length <= 1024 ? stackalloc byte[text.Length] : new byte[text.Length];
        if (!Convert.TryFromBase64String(text, buffer, out var written) || _values.Length == 0) return Outcome.Invalid;
        foreach (var v in _values)
        {
            if (buffer[..written].SequenceEqual(v)) return Outcome.Match;
        }

        return Outcome.NoMatch;
    }

    private static byte[]? Decode(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) ? buffer[..written] : null;
    }
}
