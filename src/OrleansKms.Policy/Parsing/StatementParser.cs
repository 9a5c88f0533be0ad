using System.Text.Json;
using OrleansKms.Policy.Conditions;
using OrleansKms.Policy.Matching;
using static OrleansKms.Policy.Parsing.PolicyParser;

namespace OrleansKms.Policy.Parsing;

/// <summary>Checks and compiles one statement.</summary>
internal static class StatementParser
{
    private static readonly HashSet<string> Elements =
        ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];

    /// <summary>The first pass: only known elements, of the right JSON types, and never both X and NotX.</summary>
    public static void CheckGrammar(JsonElement s)
    {
        foreach (var element in s.EnumerateObject())
        {
            if (!Elements.Contains(element.Name)) throw Malformed(PolicyMessages.Syntax);
            var v = element.Value;
            var ok = element.Name switch
            {
                "Sid" => v.ValueKind == JsonValueKind.String,
                "Effect" => v.ValueKind == JsonValueKind.String && v.GetString()!.ToUpperInvariant() is "ALLOW" or "DENY",
                "Principal" or "NotPrincipal" => v.ValueKind is JsonValueKind.String or JsonValueKind.Object,
                "Condition" => ConditionParser.IsWellFormed(v),
                _ => JsonStrings.Read(v) is not null,
            };
            if (!ok) throw Malformed(PolicyMessages.Syntax);
        }

        if (!s.TryGetProperty("Effect", out _) || Both(s, "Action") || Both(s, "Resource") || Both(s, "Principal"))
            throw Malformed(PolicyMessages.Syntax);
    }

    /// <summary>The second pass: what each element says, compiled for evaluation.</summary>
    public static PolicyStatement Compile(JsonElement s, int index, PolicyKind kind, bool variables)
    {
        var effect = s.GetProperty("Effect").GetString();
        if (effect is not ("Allow" or "Deny")) throw Malformed(PolicyMessages.LegacyParsing);
        var sid = s.TryGetProperty("Sid", out var sidElement) ? sidElement.GetString() : null;
        var principals = Principals(s, kind, effect == "Deny");
        var actions = Actions(s);
        var resources = Resources(s, kind, variables);
        var conditions = s.TryGetProperty("Condition", out var condition) ? ConditionParser.Compile(condition, variables) : [];
        return new PolicyStatement(index, sid, effect == "Deny", actions, resources, principals, conditions);
    }

    private static PrincipalSet? Principals(JsonElement s, PolicyKind kind, bool deny)
    {
        var negated = s.TryGetProperty("NotPrincipal", out var principal);
        var present = negated || s.TryGetProperty("Principal", out principal);
        if (kind == PolicyKind.IdentityPolicy)
        {
            if (present) throw Malformed(PolicyMessages.PrincipalInIdentityPolicy);
            return null;
        }

        if (!present)
            throw Malformed(kind == PolicyKind.KeyPolicy ? PolicyMessages.KeyPolicyInvalidPrincipals : PolicyMessages.MissingPrincipal);

        // IAM: NotPrincipal is for Deny statements of resource policies only; a trust policy cannot use it.
        if (negated && kind == PolicyKind.TrustPolicy) throw Malformed(PolicyMessages.ProhibitedField("NotPrincipal"));
        if (negated && !deny) throw Malformed(PolicyMessages.KeyPolicyInvalidPrincipals);
        return PrincipalParser.Parse(principal, negated, kind);
    }

    private static ActionSet Actions(JsonElement s)
    {
        var negated = s.TryGetProperty("NotAction", out var element);
        if (!negated && !s.TryGetProperty("Action", out element)) throw Malformed(PolicyMessages.NoActions);
        var actions = JsonStrings.Read(element)!;
        if (actions.Count == 0) throw Malformed(PolicyMessages.NoActions);
        foreach (var action in actions) CheckAction(action);
        return new ActionSet(actions, negated);
    }

    private static void CheckAction(string action)
    {
        if (action == "*") return;
        var parts = action.Split(':');
        if (parts.Length == 1) throw Malformed(PolicyMessages.NoVendor);
        if (parts.Length > 2) throw Malformed(PolicyMessages.OneColon);
        if (parts[0] != "*" && !IsVendor(parts[0])) throw Malformed(PolicyMessages.Vendor(parts[0]));
    }

    private static ResourceSet? Resources(JsonElement s, PolicyKind kind, bool variables)
    {
        var negated = s.TryGetProperty("NotResource", out var element);
        var present = negated || s.TryGetProperty("Resource", out element);
        if (kind == PolicyKind.TrustPolicy)
        {
            if (present) throw Malformed(PolicyMessages.ProhibitedField(negated ? "NotResource" : "Resource"));
            return null;
        }

        var resources = present ? JsonStrings.Read(element)! : [];
        if (resources.Count == 0) throw Malformed(PolicyMessages.NoResources);
        foreach (var resource in resources) CheckResource(resource);
        return new ResourceSet(resources, negated, variables);
    }

    /// <summary>"*", or an ARN whose partition is an AWS partition and whose service is named exactly.</summary>
    private static void CheckResource(string resource)
    {
        if (resource == "*") return;
        var parts = resource.Split(':', 4);
        if (parts.Length < 2 || parts[0] != "arn") throw Malformed(PolicyMessages.ResourceFormat(resource));
        if (parts[1] != "aws" && !parts[1].StartsWith("aws-", StringComparison.Ordinal)) throw Malformed(PolicyMessages.Partition(parts[1], resource));
        if (parts.Length < 4 || !IsVendor(parts[2])) throw Malformed(PolicyMessages.ResourceVendor);
    }

    /// <summary>A service prefix: letters, digits, '-' and '.', no wildcard.</summary>
    public static bool IsVendor(string vendor) =>
        vendor.Length > 0 && !vendor.AsSpan().ContainsAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.");

    private static bool Both(JsonElement s, string element) =>
        s.TryGetProperty(element, out _) && s.TryGetProperty("Not" + element, out _);
}

/// <summary>The "string or list of strings" form that Action, Resource and principal values take.</summary>
internal static class JsonStrings
{
    /// <summary>The strings, or null when the element is of another form.</summary>
    public static List<string>? Read(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.String) return [e.GetString()!];
        if (e.ValueKind != JsonValueKind.Array) return null;
        var list = new List<string>();
        foreach (var item in e.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) return null;
            list.Add(item.GetString()!);
        }

        return list;
    }
}
