using System.Security.Cryptography;
using System.Text;

namespace OrleansKms.Gateway.Auth;

/// <summary>
/// One caller's credentials and who they are: an account root or an IAM user (from the identities file), or an
/// assumed-role session (from STS AssumeRole, with <see cref="RoleArn"/> set). Policies are IAM identity policy
/// documents (JSON); an account root needs none.
/// </summary>
public sealed record KmsIdentity(string AccessKeyId, string SecretAccessKey, string AccountId, string PrincipalArn)
{
    /// <summary>The development identity: access key <c>test</c>, secret <c>test</c>, account 000000000000's root.</summary>
    public static KmsIdentity Development { get; } = new("test", "test", "000000000000", "arn:aws:iam::000000000000:root");

    /// <summary>Identity policies (IAM JSON documents).</summary>
    public IReadOnlyList<string> Policies { get; init; } = [];

    /// <summary>Principal tags (<c>aws:PrincipalTag/KEY</c>).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The AWS service (e.g. <c>s3</c>) this access key stands for, calling on the principal's behalf: its requests carry
    /// <c>kms:ViaService</c> = SERVICE.REGION.amazonaws.com and may use the service's AWS managed key.
    /// </summary>
    public string? ViaService { get; init; }

    /// <summary>For an assumed-role session: the role's ARN.</summary>
    public string? RoleArn { get; init; }

    /// <summary>For an assumed-role session: when its credentials expire.</summary>
    public DateTimeOffset? Expiration { get; init; }

    private string? _userId; // computed once per identity: a SHA-256 per request otherwise

    /// <summary>AWS's unique id (<c>aws:userid</c>, GetCallerIdentity's UserId): the account id for a root, AIDA... for a user, AROA...:SESSION for a session.</summary>
    public string UserId => _userId ??= RoleArn is not null
        ? $"{UniqueId("AROA", RoleArn)}:{PrincipalArn[(PrincipalArn.LastIndexOf('/') + 1)..]}"
        : PrincipalArn.EndsWith(":root", StringComparison.Ordinal) ? AccountId : UniqueId("AIDA", PrincipalArn);

    /// <summary>The caller as the grains see it.</summary>
    public KmsCaller ToCaller(string? sourceIp, bool secureTransport, string? region = null) => new(AccountId, PrincipalArn, AccessKeyId)
    {
        ViaService = ViaService is null || region is null ? null : $"{ViaService}.{region}.amazonaws.com",
        RoleArn = RoleArn,
        UserId = UserId,
        Tags = Tags,
        IdentityPolicies = Policies,
        SourceIp = sourceIp,
        SecureTransport = secureTransport,
    };

    /// <summary>An IAM-style unique id (prefix + 17 upper-case letters and digits), stable for the same ARN.</summary>
    internal static string UniqueId(string prefix, string arn)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(arn));
        var id = new StringBuilder(prefix, prefix.Length + 17);
        for (var i = 0; i < 17; i++) id.Append(alphabet[hash[i] & 31]);
        return id.ToString();
    }

    public override string ToString() => $"{AccessKeyId} ({PrincipalArn})";
}

/// <summary>An IAM role callers may assume with STS AssumeRole: who may (its trust policy) and what it may do.</summary>
public sealed record KmsRole(string Arn, string AccountId, string TrustPolicy)
{
    public IReadOnlyList<string> Policies { get; init; } = [];

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The longest session AssumeRole grants (DurationSeconds up to this). Default 1 hour, as IAM.</summary>
    public int MaxSessionDurationSeconds { get; init; } = 3600;

    /// <summary>The role's name (the last part of its ARN's path).</summary>
    public string Name => Arn[(Arn.LastIndexOf('/') + 1)..];

    /// <summary>AWS's unique id of the role (AROA...), the first part of its sessions' <c>aws:userid</c>.</summary>
    public string UniqueId => KmsIdentity.UniqueId("AROA", Arn);

    /// <summary>The principal of a session of this role: <c>arn:PARTITION:sts::ACCOUNT:assumed-role/NAME/SESSION</c>.</summary>
    public string SessionArn(string sessionName) => $"arn:{Arn.Split(':')[1]}:sts::{AccountId}:assumed-role/{Name}/{sessionName}";
}

/// <summary>The identities and roles the gateway accepts: identities by access key id, roles by ARN.</summary>
public sealed class IdentityStore
{
    private readonly Dictionary<string, KmsIdentity> _byAccessKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, KmsRole> _roles = new(StringComparer.Ordinal);

    public IdentityStore(IEnumerable<KmsIdentity> identities, IEnumerable<KmsRole>? roles = null)
    {
        foreach (var identity in identities) _byAccessKey[identity.AccessKeyId] = identity;
        foreach (var role in roles ?? []) _roles[role.Arn] = role;
    }

    public bool TryGet(string accessKeyId, out KmsIdentity identity) => _byAccessKey.TryGetValue(accessKeyId, out identity!);

    /// <summary>The identity of an access key read from a request header, without a string for it.</summary>
    public bool TryGet(ReadOnlySpan<char> accessKeyId, out KmsIdentity identity) =>
        _byAccessKey.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(accessKeyId, out identity!);

    public bool TryGetRole(string roleArn, out KmsRole role) => _roles.TryGetValue(roleArn, out role!);

    public IReadOnlyCollection<KmsIdentity> All => _byAccessKey.Values;

    public IReadOnlyCollection<KmsRole> Roles => _roles.Values;

    /// <summary>Reads an identities file (<see cref="IdentitiesFileReader"/>); a bad file is an InvalidDataException naming the entry and field.</summary>
    public static IdentityStore Load(string path) => IdentitiesFileReader.Read(path);
}
