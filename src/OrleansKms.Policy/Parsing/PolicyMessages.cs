namespace OrleansKms.Policy.Parsing;

/// <summary>
/// The MalformedPolicyDocument messages, in AWS's words (IAM's for grammar; KMS's for key policy principals), since
/// users search for them.
/// </summary>
internal static class PolicyMessages
{
    public const string Syntax = "Syntax errors in policy.";
    public const string LegacyParsing = "The policy failed legacy parsing";
    public const string SidNotUnique = "Statement IDs (SID) in a single policy must be unique.";
    public const string NoActions = "Policy statement must contain actions.";
    public const string NoResources = "Policy statement must contain resources.";
    public const string NoVendor = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
    public const string OneColon = "Actions/Condition can contain only one colon.";
    public const string ResourceVendor = "Resource vendor must be fully qualified and cannot contain regexes.";
    public const string PrincipalInIdentityPolicy = "Policy document should not specify a principal.";
    public const string MissingPrincipal = "Missing required field Principal";
    public const string KeyPolicyInvalidPrincipals = "Policy contains a statement with one or more invalid principals.";

    public static string Vendor(string vendor) => $"Vendor {vendor} is not valid";

    public static string ResourceFormat(string resource) => $"Resource {resource} must be in ARN format or \"*\".";

    public static string Partition(string partition, string resource) => $"Partition \"{partition}\" is not valid for resource \"{resource}\".";

    public static string InvalidPrincipal(string type, string value) => $"Invalid principal in policy: \"{type}\":\"{value}\"";

    public static string ConditionType(string op) => $"Invalid Condition type : {op}";

    public static string ProhibitedField(string field) => $"Has prohibited field {field}";
}
