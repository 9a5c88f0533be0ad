using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansKms.Gateway.Operations;

/// <summary>
/// The checks AWS KMS makes on a key policy before CreateKey or PutKeyPolicy accepts it: a JSON policy document
/// whose every statement has an Effect, a Principal, an Action and the Resource "*", with principals of a valid
/// form; and, unless the caller bypasses it, the lockout safety check: the policy must let the caller (or its
/// account, whose IAM policies then decide) call PutKeyPolicy again. Each failure is MalformedPolicyDocumentException.
/// Policies are stored and returned; they are not evaluated on each call yet.
/// </summary>
internal static partial class KeyPolicyDocument
{
    public static void Check(string policy, KmsCaller caller, string region, bool bypassLockoutSafetyCheck)
    {
        var statements = Statements(policy);
        foreach (var statement in statements) CheckStatement(statement);
        if (!bypassLockoutSafetyCheck && !statements.Any(s => LetsCallerPutPolicy(s, caller, region)))
            throw Malformed("The new key policy will not allow you to update the key policy in the future.");
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

    /// <summary>An Allow statement (conditions aside, as AWS's check) whose actions include kms:PutKeyPolicy for the caller.</summary>
    private static bool LetsCallerPutPolicy(JsonElement s, KmsCaller caller, string region)
    {
        if (s.GetProperty("Effect").GetString() != "Allow") return false;
        if (!s.TryGetProperty("Action", out var action) || !Strings(action).Any(a => a is not null && ActionMatches(a, "kms:PutKeyPolicy"))) return false;
        if (!s.TryGetProperty("Principal", out var principal)) return false;
        if (principal.ValueKind == JsonValueKind.String) return principal.GetString() == "*";
        if (!principal.TryGetProperty("AWS", out var aws)) return false;
        var root = $"arn:{KeyArn.PartitionOf(region)}:iam::{caller.AccountId}:root";
        return Strings(aws).Any(v => v == "*" || v == caller.AccountId || v == root || v == caller.PrincipalArn);
    }

    /// <summary>IAM action matching: case-insensitive, with * and ? wildcards.</summary>
    private static bool ActionMatches(string pattern, string action) =>
        Regex.IsMatch(action, "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

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
