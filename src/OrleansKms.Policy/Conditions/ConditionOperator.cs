namespace OrleansKms.Policy.Conditions;

internal enum OperatorFamily : byte { String, Numeric, Date, Bool, Binary, Ip, Arn, Null }

/// <summary>How a Numeric or Date operator compares the request's value (left) with the policy's (right).</summary>
internal enum Comparison : byte { Equal, Less, LessOrEqual, Greater, GreaterOrEqual }

internal enum SetQualifier : byte { None, ForAnyValue, ForAllValues }

/// <summary>
/// A condition operator as written in a policy, e.g. "ForAllValues:StringNotLikeIfExists": its family, whether it is
/// a negated operator (StringNotEquals, NotIpAddress, ...), its set qualifier and its IfExists suffix.
/// </summary>
internal sealed record ConditionOperator(
    string Name,
    OperatorFamily Family,
    bool Negated,
    Comparison Comparison,
    bool IgnoreCase,
    bool Like,
    SetQualifier Qualifier,
    bool IfExists)
{
    private const string IfExistsSuffix = "IfExists";

    private sealed record Base(OperatorFamily Family, bool Negated, Comparison Comparison = Comparison.Equal, bool IgnoreCase = false, bool Like = false);

    private static readonly Dictionary<string, Base> Operators = new(StringComparer.OrdinalIgnoreCase)
    {
        ["StringEquals"] = new(OperatorFamily.String, false),
        ["StringNotEquals"] = new(OperatorFamily.String, true),
        ["StringEqualsIgnoreCase"] = new(OperatorFamily.String, false, IgnoreCase: true),
        ["StringNotEqualsIgnoreCase"] = new(OperatorFamily.String, true, IgnoreCase: true),
        ["StringLike"] = new(OperatorFamily.String, false, Like: true),
        ["StringNotLike"] = new(OperatorFamily.String, true, Like: true),
        ["NumericEquals"] = new(OperatorFamily.Numeric, false),
        ["NumericNotEquals"] = new(OperatorFamily.Numeric, true),
        ["NumericLessThan"] = new(OperatorFamily.Numeric, false, Comparison.Less),
        ["NumericLessThanEquals"] = new(OperatorFamily.Numeric, false, Comparison.LessOrEqual),
        ["NumericGreaterThan"] = new(OperatorFamily.Numeric, false, Comparison.Greater),
        ["NumericGreaterThanEquals"] = new(OperatorFamily.Numeric, false, Comparison.GreaterOrEqual),
        ["DateEquals"] = new(OperatorFamily.Date, false),
        ["DateNotEquals"] = new(OperatorFamily.Date, true),
        ["DateLessThan"] = new(OperatorFamily.Date, false, Comparison.Less),
        ["DateLessThanEquals"] = new(OperatorFamily.Date, false, Comparison.LessOrEqual),
        ["DateGreaterThan"] = new(OperatorFamily.Date, false, Comparison.Greater),
        ["DateGreaterThanEquals"] = new(OperatorFamily.Date, false, Comparison.GreaterOrEqual),
        ["Bool"] = new(OperatorFamily.Bool, false),
        ["BinaryEquals"] = new(OperatorFamily.Binary, false),
        ["IpAddress"] = new(OperatorFamily.Ip, false),
        ["NotIpAddress"] = new(OperatorFamily.Ip, true),
        ["ArnEquals"] = new(OperatorFamily.Arn, false),
        ["ArnLike"] = new(OperatorFamily.Arn, false, Like: true),
        ["ArnNotEquals"] = new(OperatorFamily.Arn, true),
        ["ArnNotLike"] = new(OperatorFamily.Arn, true, Like: true),
        ["Null"] = new(OperatorFamily.Null, false),
    };

    /// <summary>Reads an operator name; null when IAM does not know it (Null takes no IfExists).</summary>
    public static ConditionOperator? Parse(string name)
    {
        var rest = name.AsSpan();
        var qualifier = SetQualifier.None;
        if (rest.StartsWith("ForAnyValue:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = SetQualifier.ForAnyValue;
            rest = rest["ForAnyValue:".Length..];
        }
        else if (rest.StartsWith("ForAllValues:", StringComparison.OrdinalIgnoreCase))
        {
            qualifier = SetQualifier.ForAllValues;
            rest = rest["ForAllValues:".Length..];
        }

        var ifExists = rest.EndsWith(IfExistsSuffix, StringComparison.OrdinalIgnoreCase) && rest.Length > IfExistsSuffix.Length;
        if (ifExists) rest = rest[..^IfExistsSuffix.Length];
        if (!Operators.TryGetValue(rest.ToString(), out var b)) return null;
        if (b.Family == OperatorFamily.Null && (ifExists || qualifier != SetQualifier.None)) return null;
        return new(name, b.Family, b.Negated, b.Comparison, b.IgnoreCase, b.Like, qualifier, ifExists);
    }

    /// <summary>Whether the operator reads its policy values as templates with policy variables (IAM: String and ARN operators).</summary>
    public bool TakesVariables => Family is OperatorFamily.String or OperatorFamily.Arn;
}
