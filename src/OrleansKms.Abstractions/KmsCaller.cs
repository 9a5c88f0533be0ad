namespace OrleansKms;

/// <summary>
/// Who is calling, as SigV4 established it at the gateway (or as the embedding application declares it in-cluster),
/// with what AWS's authorization needs to know of them: their identity policies (IAM JSON), tags, and, for an
/// assumed-role session, the role. It travels with every command to the grain or worker that authorises the call.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record KmsCaller(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string PrincipalArn,
    [property: Id(2)] string AccessKeyId)
{
    /// <summary>For an assumed-role session (<c>arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION</c>): the role's ARN.</summary>
    [Id(3)] public string? RoleArn { get; init; }

    /// <summary>AWS's unique id of the principal (<c>aws:userid</c>): the account id for a root, AIDA... for a user, AROA...:SESSION for a session.</summary>
    [Id(4)] public string? UserId { get; init; }

    /// <summary>The principal's tags (<c>aws:PrincipalTag/KEY</c>); for a session, its role's.</summary>
    [Id(5)] public IReadOnlyDictionary<string, string> Tags { get; init; } = Empty;

    /// <summary>
    /// The caller's identity policies (IAM policy documents, JSON); for a session, its role's. An account root needs
    /// none. The services compile each distinct document once.
    /// </summary>
    [Id(6)] public IReadOnlyList<string> IdentityPolicies { get; init; } = [];

    /// <summary>The address the request came from (<c>aws:SourceIp</c>), if known.</summary>
    [Id(7)] public string? SourceIp { get; init; }

    /// <summary>Whether the request came over TLS (<c>aws:SecureTransport</c>).</summary>
    [Id(8)] public bool SecureTransport { get; init; }

    /// <summary>The request's grant tokens (GrantTokens): grants usable by token before they reach the key's snapshot.</summary>
    [Id(9)] public IReadOnlyList<string> GrantTokens { get; init; } = [];

    /// <summary>
    /// For a request an AWS service makes on the caller's behalf: the service's endpoint name
    /// (<c>s3.us-east-1.amazonaws.com</c>), <c>kms:ViaService</c>. Such requests may use the service's AWS managed key
    /// (<c>alias/aws/s3</c>), which is created on their first use.
    /// </summary>
    [Id(10)] public string? ViaService { get; init; }

    /// <summary>AWS's principal type: Account (a root), AssumedRole (a role session), or User.</summary>
    public string PrincipalType =>
        PrincipalArn.EndsWith(":root", StringComparison.Ordinal) ? "Account"
        : PrincipalArn.Contains(":assumed-role/", StringComparison.Ordinal) ? "AssumedRole"
        : "User";

    /// <summary>The user name of an IAM user (<c>aws:username</c>), else null.</summary>
    public string? UserName => PrincipalType == "User" && PrincipalArn.LastIndexOf('/') is var slash and >= 0 ? PrincipalArn[(slash + 1)..] : null;

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();
}
