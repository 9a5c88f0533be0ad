using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using OrleansKms.Policy;

namespace OrleansKms.Cli.Policy;

/// <summary>
/// The caller of a simulation, from its ARN alone, as the service would see it: the type from the ARN's form, the
/// account from its account field, and aws:userid as the service derives it for its identities.
/// </summary>
internal static partial class SimulatedPrincipal
{
    /// <summary>The session name a role ARN is simulated with (a role itself never calls; its sessions do).</summary>
    public const string SessionName = "kms-policy-simulate";

    /// <summary>
    /// Reads <paramref name="arn"/>: an account root, an IAM user, an IAM role (a session of it) or an assumed-role
    /// session. For a session ARN the role's path is unknown (AWS drops it from session ARNs) and taken as "/".
    /// </summary>
    public static bool TryParse(string arn, IReadOnlyDictionary<string, string> tags, out CallerPrincipal principal, out string? error)
    {
        principal = null!;
        error = null;
        var m = Arn().Match(arn);
        if (!m.Success)
        {
            error = $"--principal '{arn}' is not an account root (arn:aws:iam::ACCOUNT:root), IAM user (...:user/NAME), " +
                "IAM role (...:role/NAME) or assumed-role session (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION) ARN.";
            return false;
        }

        var (partition, account, path, name) = (m.Groups["partition"].Value, m.Groups["account"].Value, m.Groups["path"].Value, m.Groups["name"].Value);
        principal = m.Groups["kind"].Value switch
        {
            "root" => CallerPrincipal.Root(account, partition),
            "user" => CallerPrincipal.User(account, name, path, partition) with { UserId = UniqueId("AIDA", arn) },
            "role" => Session(CallerPrincipal.AssumedRole(account, name, SessionName, path, partition)),
            _ => Session(CallerPrincipal.AssumedRole(account, path.Trim('/'), name, "/", partition)),
        };
        principal = principal with { Tags = tags };
        return true;
    }

    private static CallerPrincipal Session(CallerPrincipal session) =>
        session with { UserId = $"{UniqueId("AROA", session.RoleArn!)}:{session.Arn[(session.Arn.LastIndexOf('/') + 1)..]}" };

    /// <summary>
    /// The service's unique id for an ARN (prefix + 17 letters and digits from its SHA-256), as the gateway's
    /// KmsIdentity derives it, so aws:userid conditions decide here as they do there.
    /// </summary>
    private static string UniqueId(string prefix, string arn)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(arn));
        var id = new StringBuilder(prefix, prefix.Length + 17);
        for (var i = 0; i < 17; i++) id.Append(alphabet[hash[i] & 31]);
        return id.ToString();
    }

    // An assumed-role session's ARN puts the role's name where the others put a path ("assumed-role/ROLE/SESSION").
    [GeneratedRegex(@"^arn:(?<partition>aws(-[a-z]+)*):(?:iam::(?<account>\d{12}):(?:(?<kind>root)|(?<kind>user|role)(?<path>(/[\w+=,.@-]+)*/)(?<name>[\w+=,.@-]+))|sts::(?<account>\d{12}):(?<kind>assumed-role)(?<path>/[\w+=,.@-]+/)(?<name>[\w+=,.@-]+))$")]
    private static partial Regex Arn();
}
