using System.Text.Json;
using OrleansKms.Policy.Conditions;
using static OrleansKms.Policy.Parsing.PolicyParser;

namespace OrleansKms.Policy.Parsing;

/// <summary>
/// The Condition element: { operator: { key: value | [values] } }. Values may be JSON strings, numbers or booleans
/// (IAM reads them all as text); null, objects and empty lists are refused.
/// </summary>
internal static class ConditionParser
{
    public static bool IsWellFormed(JsonElement condition)
    {
        if (condition.ValueKind != JsonValueKind.Object) return false;
        foreach (var op in condition.EnumerateObject())
        {
            if (op.Value.ValueKind != JsonValueKind.Object) return false;
            foreach (var key in op.Value.EnumerateObject())
            {
                if (Values(key.Value) is null) return false;
            }
        }

        return true;
    }

    public static CompiledCondition[] Compile(JsonElement condition, bool variables)
    {
        var compiled = new List<CompiledCondition>();
        foreach (var block in condition.EnumerateObject())
        {
            var op = ConditionOperator.Parse(block.Name) ?? throw Malformed(PolicyMessages.ConditionType(block.Name));
            foreach (var key in block.Value.EnumerateObject())
            {
                var colon = key.Name.IndexOf(':');
                if (colon <= 0 || !StatementParser.IsVendor(key.Name[..colon]) || colon == key.Name.Length - 1)
                    throw Malformed(PolicyMessages.NoVendor);
                compiled.Add(new CompiledCondition(op, key.Name, Values(key.Value)!, variables));
            }
        }

        return [.. compiled];
    }

    private static List<string>? Values(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array) return Scalar(value) is { } one ? [one] : null;
        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (Scalar(item) is not { } text) return null;
            list.Add(text);
        }

        return list.Count == 0 ? null : list;
    }

    private static string? Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => null,
    };
}
