using System.Text.Json;

namespace OrleansKms.Policy.Parsing;

/// <summary>
/// Reads a policy document in two passes, as IAM reports problems: first the grammar of the whole document (elements,
/// their JSON types), then each statement's meaning (effect, principals, actions, resources, conditions).
/// </summary>
internal static class PolicyParser
{
    public const string CurrentVersion = "2012-10-17";
    public const string LegacyVersion = "2008-10-17";

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    public static PolicyDocument Parse(string json, PolicyKind kind)
    {
        using var document = Read(json);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object) throw Malformed(PolicyMessages.Syntax);
        string? version = null;
        string? id = null;
        JsonElement? statement = null;
        foreach (var element in root.EnumerateObject())
        {
            switch (element.Name)
            {
                case "Version" when element.Value.ValueKind == JsonValueKind.String && element.Value.GetString() is CurrentVersion or LegacyVersion:
                    version = element.Value.GetString();
                    break;
                case "Id" when element.Value.ValueKind == JsonValueKind.String:
                    id = element.Value.GetString();
                    break;
                case "Statement":
                    statement = element.Value;
                    break;
                default:
                    throw Malformed(PolicyMessages.Syntax);
            }
        }

        var statements = StatementList(statement);
        foreach (var s in statements) StatementParser.CheckGrammar(s);
        var variables = version == CurrentVersion;
        var compiled = statements.Select((s, i) => StatementParser.Compile(s, i, kind, variables)).ToArray();
        if (kind != PolicyKind.KeyPolicy) CheckSidsUnique(compiled);
        return new PolicyDocument(kind, json, version, id, compiled);
    }

    private static JsonDocument Read(string json)
    {
        try
        {
            return JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            throw new PolicyFormatException(PolicyMessages.Syntax, e);
        }
    }

    private static List<JsonElement> StatementList(JsonElement? statement)
    {
        List<JsonElement> list = statement?.ValueKind switch
        {
            JsonValueKind.Object => [statement.Value],
            JsonValueKind.Array => statement.Value.EnumerateArray().ToList(),
            _ => throw Malformed(PolicyMessages.Syntax),
        };
        if (list.Count == 0 || list.Any(s => s.ValueKind != JsonValueKind.Object)) throw Malformed(PolicyMessages.Syntax);
        return list;
    }

    private static void CheckSidsUnique(PolicyStatement[] statements)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in statements)
        {
            if (!string.IsNullOrEmpty(s.Sid) && !seen.Add(s.Sid)) throw Malformed(PolicyMessages.SidNotUnique);
        }
    }

    public static PolicyFormatException Malformed(string message) => new(message);
}
