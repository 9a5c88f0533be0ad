using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansKms;

/// <summary>
/// The first checks AWS KMS makes on a key policy before CreateKey or PutKeyPolicy accepts it: a JSON policy document
/// whose every statement has an Effect, a Principal, an Action and the Resource "*", with principals of a valid
/// form. Each failure is MalformedPolicyDocumentException. The key grain then compiles the document in the full
/// policy grammar (conditions, operators, variables) and makes the lockout safety check by evaluating it.
/// </summary>
public static partial class KeyPolicyDocument
{
    public static void Check(string policy)
    {
        foreach (var statement in Statements(policy)) CheckStatement(statement);
    }

    private static List<JsonElement> Statements(string policy)
    {
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(policy);
            root = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw Malformed("The key policy is not a valid JSON policy document.");
        }

        if (root.ValueKind != JsonValueKind.Object) throw Malformed("The key policy is not a valid JSON policy document.");
        if (!root.TryGetProperty("Statement", out var statement)) throw Malformed("The key policy has no Statement.");
        var statements = statement.ValueKind switch
        {
            JsonValueKind.Object => [statement],
            JsonValueKind.Array => statement.EnumerateArray().ToList(),
            _ => throw Malformed("The key policy's Statement must be an object or a list of objects."),
        };
        if (statements.Count == 0 || statements.Any(s => s.ValueKind != JsonValueKind.Object))
            throw Malformed("The key policy's Statement must be an object or a list of objects.");
        return statements;
    }

    private static void CheckStatement(JsonElement s)
    {
        if (!s.TryGetProperty("Effect", out var effect) || effect.ValueKind != JsonValueKind.String || effect.GetString() is not ("Allow" or "Deny"))
            throw Malformed("Policy contains a statement without a valid Effect (Allow or Deny).");
        if (!HasAny(s, "Action", "NotAction"))
            throw Malformed("Policy contains a statement with no Action or NotAction element.");
        if (!HasAny(s, "Resource", "NotResource"))
            throw Malformed("Policy contains a statement with no Resource or NotResource element.");
        if (s.TryGetProperty("Resource", out var resource) && !Strings(resource).All(r => r == "*"))
            throw Malformed("Policy contains a statement with a Resource other than \"*\", the only resource of a key policy.");
        var principal = s.TryGetProperty("Principal", out var p) ? p : s.TryGetProperty("NotPrincipal", out var np) ? np : default;
        if (principal.ValueKind == JsonValueKind.Undefined || !ValidPrincipal(principal))
            throw Malformed("Policy contains a statement with one or more invalid principals.");
    }

    private static bool ValidPrincipal(JsonElement principal)
    {
        if (principal.ValueKind == JsonValueKind.String) return principal.GetString() == "*";
        if (principal.ValueKind != JsonValueKind.Object || !principal.EnumerateObject().Any()) return false;
        foreach (var kind in principal.EnumerateObject())
        {
            var values = Strings(kind.Value);
            if (values.Count == 0 || values.Any(string.IsNullOrEmpty)) return false;
            if (kind.Name == "AWS" && !values.All(v => v == "*" || AccountId().IsMatch(v!) || PrincipalArn().IsMatch(v!))) return false;
            if (kind.Name is not ("AWS" or "Service" or "Federated" or "CanonicalUser")) return false;
        }

        return true;
    }

    private static bool HasAny(JsonElement s, string a, string b) => s.TryGetProperty(a, out _) || s.TryGetProperty(b, out _);

    private static List<string?> Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => [e.GetString()],
        JsonValueKind.Array => e.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : null).ToList(),
        _ => [null],
    };

    private static KmsException Malformed(string message) => new(KmsErrorCode.MalformedPolicyDocumentException, message);

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex("^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:[^\\s]+$")]
    private static partial Regex PrincipalArn();
}
