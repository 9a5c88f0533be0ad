using OrleansKms.Policy.Evaluation;
using OrleansKms.Policy.Matching;

namespace OrleansKms.Policy.Conditions;

/// <summary>
/// One key under one operator of a Condition block, with its policy values compiled. The statement ANDs its
/// conditions; the values of one condition are ORed (NORed for a negated operator).
/// </summary>
internal sealed class CompiledCondition
{
    private readonly KeyRef _key;
    private readonly ConditionOperator _op;
    private readonly ValueMatcher? _matcher;
    private readonly bool?[] _nullExpected;

    public CompiledCondition(ConditionOperator op, string key, IReadOnlyList<string> values, bool variables)
    {
        _op = op;
        _key = KeyRef.Of(key);
        _nullExpected = op.Family == OperatorFamily.Null ? [.. values.Select(ParseBool)] : [];
        _matcher = op.Family == OperatorFamily.Null ? null : ValueMatcher.Create(op, values, variables && op.TakesVariables);
    }

    /// <summary>
    /// IAM's rules: a missing key makes a condition false, except that a negated operator is then true, ...IfExists
    /// is then true, ForAllValues is then true (also for an empty key) and ForAnyValue false. Present values: plain and
    /// ForAnyValue need one value that satisfies the operator, ForAllValues needs every value to, and a plain negated
    /// operator needs no value to match (NOR). A request value the operator cannot read makes the condition false.
    /// </summary>
    public bool Evaluate(RequestContext request)
    {
        var key = ResolvedKey.Resolve(_key, request);
        var count = key.Count;
        if (_matcher is null) return NullHolds(count == 0);
        if (count == 0)
        {
            if (_op.IfExists) return true;
            return _op.Qualifier switch
            {
                SetQualifier.ForAllValues => true,
                SetQualifier.ForAnyValue => false,
                _ => _op.Negated,
            };
        }

        var anySatisfied = false;
        var allSatisfied = true;
        for (var i = 0; i < count; i++)
        {
            var outcome = _matcher.MatchAny(key, i, request);
            if (outcome == Outcome.Invalid) return false;
            var satisfied = (outcome == Outcome.Match) != _op.Negated;
            anySatisfied |= satisfied;
            allSatisfied &= satisfied;
        }

        return _op.Qualifier switch
        {
            SetQualifier.ForAnyValue => anySatisfied,
            SetQualifier.ForAllValues => allSatisfied,
            _ => _op.Negated ? allSatisfied : anySatisfied,
        };
    }

    /// <summary>Null: "true" holds when the key is absent (or empty), "false" when it has a value.</summary>
    private bool NullHolds(bool isNull)
    {
        foreach (var expected in _nullExpected)
        {
            if (expected == isNull) return true;
        }

        return false;
    }

    private static bool? ParseBool(string value) => bool.TryParse(value, out var b) ? b : null;
}
