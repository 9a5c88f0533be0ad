namespace OrleansKms.Policy;

/// <summary>The values of <see cref="CallerPrincipal.Type"/>, as aws:PrincipalType spells them.</summary>
public static class PrincipalTypes
{
    /// <summary>An account's root user (arn:aws:iam::ACCOUNT:root).</summary>
    public const string Account = "Account";

    /// <summary>An IAM user.</summary>
    public const string User = "User";

    /// <summary>A session of an assumed IAM role.</summary>
    public const string AssumedRole = "AssumedRole";

    /// <summary>An AWS service principal, such as s3.amazonaws.com.</summary>
    public const string Service = "Service";

    /// <summary>An unauthenticated caller.</summary>
    public const string Anonymous = "Anonymous";
}

/// <summary>
/// Who makes a request. <see cref="Arn"/> is the caller's own ARN (for an assumed-role session the session ARN
/// arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION); <see cref="Type"/> is one of <see cref="PrincipalTypes"/>.
/// </summary>
public sealed record CallerPrincipal(string Arn, string AccountId, string Type)
{
    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    private readonly IReadOnlyDictionary<string, string> _tags = NoTags;

    /// <summary>aws:userid: the unique id (AIDA... for a user, ROLEID:SESSION for a session, the account id for a root user).</summary>
    public string? UserId { get; init; }

    /// <summary>aws:username: the IAM user's friendly name; users only.</summary>
    public string? UserName { get; init; }

    /// <summary>For an assumed-role session: the role's ARN, arn:aws:iam::ACCOUNT:role/PATH/NAME, path kept.</summary>
    public string? RoleArn { get; init; }

    /// <summary>For <see cref="PrincipalTypes.Service"/>: the service principal, e.g. "s3.amazonaws.com".</summary>
    public string? ServicePrincipal { get; init; }

    /// <summary>The principal's tags (aws:PrincipalTag/KEY); tag keys are matched case-insensitively, as IAM does.</summary>
    public IReadOnlyDictionary<string, string> Tags
    {
        get => _tags;
        init => _tags = value is Dictionary<string, string> d && d.Comparer == StringComparer.OrdinalIgnoreCase
            ? d
            : new Dictionary<string, string>(value ?? NoTags, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The root user of <paramref name="accountId"/>.</summary>
    public static CallerPrincipal Root(string accountId, string partition = "aws") =>
        new($"arn:{partition}:iam::{accountId}:root", accountId, PrincipalTypes.Account) { UserId = accountId };

    /// <summary>The IAM user <paramref name="name"/> of <paramref name="accountId"/>; <paramref name="path"/> starts and ends with '/'.</summary>
    public static CallerPrincipal User(string accountId, string name, string path = "/", string partition = "aws") =>
        new($"arn:{partition}:iam::{accountId}:user{path}{name}", accountId, PrincipalTypes.User) { UserName = name };

    /// <summary>A session <paramref name="sessionName"/> of the role <paramref name="roleName"/> (at <paramref name="path"/>).</summary>
    public static CallerPrincipal AssumedRole(string accountId, string roleName, string sessionName, string path = "/", string partition = "aws") =>
        new($"arn:{partition}:sts::{accountId}:assumed-role/{roleName}/{sessionName}", accountId, PrincipalTypes.AssumedRole)
        {
            RoleArn = $"arn:{partition}:iam::{accountId}:role{path}{roleName}",
        };

    /// <summary>The AWS service principal <paramref name="servicePrincipal"/> (e.g. "s3.amazonaws.com") acting for <paramref name="accountId"/>, if any.</summary>
    public static CallerPrincipal Service(string servicePrincipal, string accountId = "") =>
        new(servicePrincipal, accountId, PrincipalTypes.Service) { ServicePrincipal = servicePrincipal };
}
