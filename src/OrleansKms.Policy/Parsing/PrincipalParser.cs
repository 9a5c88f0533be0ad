using System.Text.Json;
using System.Text.RegularExpressions;
using OrleansKms.Policy.Matching;
using static OrleansKms.Policy.Parsing.PolicyParser;

namespace OrleansKms.Policy.Parsing;

/// <summary>
/// Principal and NotPrincipal: "*", or an object of "AWS" (account ids, root/user/role ARNs, assumed-role and
/// federated-user session ARNs, "*"), "Service" (*.amazonaws.com), "Federated" and "CanonicalUser". As IAM, no
/// wildcard is allowed in a principal except a lone "*", and groups are not principals.
/// </summary>
internal static partial class PrincipalParser
{
    public static PrincipalSet Parse(JsonElement element, bool negated, PolicyKind kind)
    {
        var everyone = false;
        var accounts = new List<string>();
        var arns = new List<string>();
        var services = new List<string>();
        if (element.ValueKind == JsonValueKind.String)
        {
            if (element.GetString() != "*") throw Invalid(kind, "AWS", element.GetString()!);
            return new PrincipalSet(true, [], [], [], negated);
        }

        if (!element.EnumerateObject().Any()) throw Invalid(kind, "AWS", "");
        foreach (var type in element.EnumerateObject())
        {
            var values = JsonStrings.Read(type.Value);
            if (values is null || values.Count == 0) throw Invalid(kind, type.Name, type.Value.GetRawText());
            foreach (var value in values)
            {
                switch (type.Name)
                {
                    case "AWS" when value == "*":
                        everyone = true;
                        break;
                    case "AWS" when AccountId().IsMatch(value):
                        accounts.Add(value);
                        break;
                    case "AWS" when RootArn().Match(value) is { Success: true } root:
                        accounts.Add(root.Groups["account"].Value);
                        break;
                    case "AWS" when IdentityArn().IsMatch(value) || SessionArn().IsMatch(value):
                        arns.Add(value);
                        break;
                    case "Service" when ServicePrincipal().IsMatch(value):
                        services.Add(value);
                        break;
                    case "Federated" when value.Length > 0 && !value.AsSpan().ContainsAny(" *?"):
                    case "CanonicalUser" when value.Length > 0 && !value.AsSpan().ContainsAny(" *?"):
                        break;
                    default:
                        throw Invalid(kind, type.Name, value);
                }
            }
        }

        return new PrincipalSet(everyone, [.. accounts], [.. arns], [.. services], negated);
    }

    private static PolicyFormatException Invalid(PolicyKind kind, string type, string value) =>
        Malformed(kind == PolicyKind.KeyPolicy ? PolicyMessages.KeyPolicyInvalidPrincipals : PolicyMessages.InvalidPrincipal(type, value));

    [GeneratedRegex("^[0-9]{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex("^arn:aws(-[a-z]+)*:iam::(?<account>[0-9]{12}):root$")]
    private static partial Regex RootArn();

    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:iam::[0-9]{12}:(user|role)(/[\w+=,.@-]+)*/[\w+=,.@-]+$")]
    private static partial Regex IdentityArn();

    [GeneratedRegex(@"^arn:aws(-[a-z]+)*:sts::[0-9]{12}:(assumed-role/[\w+=,.@-]+/[\w+=,.@-]+|federated-user/[\w+=,.@-]+)$")]
    private static partial Regex SessionArn();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$", RegexOptions.IgnoreCase)]
    private static partial Regex ServicePrincipal();
}
