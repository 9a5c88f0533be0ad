using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using OrleansKms.Gateway.Auth;

namespace OrleansKms.Gateway.Sts;

/// <summary>
/// STS AssumeRole: validates the request as STS does, lets the role's trust policy (and, where IAM asks for them, the
/// caller's identity policies) decide through <see cref="IKmsAuthorization"/>, and answers temporary credentials
/// sealed in a session token (<see cref="SessionTokens"/>). A role that does not exist is denied exactly like one the
/// caller may not assume, so the answer does not reveal which roles exist. As in AWS, an account root may not assume
/// roles (an IAM user or a role session may).
/// </summary>
internal sealed partial class AssumeRole(IdentityStore identities, SessionTokens sessions, IKmsAuthorization authorization)
{
    private const int DefaultDurationSeconds = 3600;
    private const int MinDurationSeconds = 900;
    private const int MaxDurationSeconds = 43200;

    /// <summary>IAM caps a session of a session (role chaining) at one hour, whatever the role's maximum.</summary>
    private const int ChainedMaxDurationSeconds = 3600;

    /// <summary>Parameters that would narrow or tag the session; refused rather than silently ignored.</summary>
    private static readonly string[] Unsupported = ["Policy", "PolicyArns.", "Tags.", "TransitiveTagKeys."];

    public Action<XmlWriter> Run(StsCall call)
    {
        var (roleArn, sessionName, duration) = Validate(call);
        if (call.Caller.RoleArn is null && call.Caller.PrincipalArn.EndsWith(":root", StringComparison.Ordinal))
            throw new StsException(403, "AccessDenied", "Roles may not be assumed by root accounts.");
        if (!identities.TryGetRole(roleArn, out var role)) throw StsException.AssumeRoleDenied(call.Caller.PrincipalArn, roleArn);
        if (!authorization.AllowsAssumeRole(call.ToKmsCaller(), role.Arn, role.TrustPolicy, out var denial))
            throw new StsException(403, "AccessDenied", denial);
        if (call.Caller.RoleArn is not null && duration > ChainedMaxDurationSeconds)
            throw StsException.Validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        if (duration > role.MaxSessionDurationSeconds)
            throw StsException.Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");

        var (session, token) = sessions.Issue(role.Arn, sessionName, TimeSpan.FromSeconds(duration));
        return w =>
        {
            w.WriteStartElement("AssumedRoleUser", StsXml.Namespace);
            w.Element("AssumedRoleId", $"{role.UniqueId}:{sessionName}");
            w.Element("Arn", role.SessionArn(sessionName));
            w.WriteEndElement();
            w.WriteStartElement("Credentials", StsXml.Namespace);
            w.Element("AccessKeyId", session.AccessKeyId);
            w.Element("SecretAccessKey", session.SecretAccessKey);
            w.Element("SessionToken", token);
            w.Element("Expiration", session.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteEndElement();
        };
    }

    /// <summary>STS's own checks, all reported at once in its "N validation errors detected" form.</summary>
    private static (string RoleArn, string SessionName, int Duration) Validate(StsCall call)
    {
        var errors = new List<string>();
        var roleArn = call.Parameter("RoleArn");
        Length(errors, "roleArn", roleArn, 20, 2048);
        var sessionName = call.Parameter("RoleSessionName");
        if (Length(errors, "roleSessionName", sessionName, 2, 64) && !SessionName().IsMatch(sessionName!))
            errors.Add($"Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        var duration = DefaultDurationSeconds;
        if (call.Parameter("DurationSeconds") is { } text)
        {
            if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out duration))
                errors.Add($"Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must be an integer");
            else if (duration < MinDurationSeconds)
                errors.Add($"Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to {MinDurationSeconds}");
            else if (duration > MaxDurationSeconds)
                errors.Add($"Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to {MaxDurationSeconds}");
        }

        if (errors.Count > 0)
            throw StsException.Validation($"{errors.Count} validation error{(errors.Count > 1 ? "s" : "")} detected: {string.Join("; ", errors)}");
        if (call.Form.Keys.FirstOrDefault(k => Unsupported.Any(u => u.EndsWith('.') ? k.StartsWith(u, StringComparison.Ordinal) : k == u)) is { } given)
            throw StsException.Validation($"{given.Split('.')[0]} is not supported by OrleansKms: sessions have exactly their role's permissions and tags.");
        return (roleArn!, sessionName!, duration);
    }

    /// <summary>Adds STS's message when <paramref name="value"/> is missing or outside min..max characters; true if it is fine.</summary>
    private static bool Length(List<string> errors, string member, string? value, int min, int max)
    {
        if (value is null) errors.Add($"Value null at '{member}' failed to satisfy constraint: Member must not be null");
        else if (value.Length < min) errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}");
        else if (value.Length > max) errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}");
        else return true;
        return false;
    }

    [GeneratedRegex(@"^[\w+=,.@-]*$")]
    private static partial Regex SessionName();
}
