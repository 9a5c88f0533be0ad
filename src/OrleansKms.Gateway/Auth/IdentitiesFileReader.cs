using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansKms.Gateway.Auth;

/// <summary>
/// Reads an identities file (<c>--identities FILE</c>):
/// <code>
/// { "identities": [ { "accessKeyId": "AKIA...", "secretAccessKey": "...", "accountId": "111122223333",
///                     "principalArn": "arn:aws:iam::111122223333:user/alice",           (default: the account's root)
///                     "policies": [ { IAM policy document } ], "tags": { "team": "red" } } ],
///   "roles": [ { "arn": "arn:aws:iam::111122223333:role/reader", "trustPolicy": { IAM trust policy },
///                "policies": [ ... ], "tags": { ... }, "maxSessionDuration": 3600 } ] }
/// </code>
/// Anything wrong is an <see cref="InvalidDataException"/> whose message names the file, the entry and the field.
/// Policy documents are checked by <see cref="PolicyCheck"/> (the IAM grammar).
/// </summary>
public static partial class IdentitiesFileReader
{
    private static readonly string[] IdentityFields = ["accessKeyId", "secretAccessKey", "accountId", "principalArn", "policies", "tags", "viaService"];
    private static readonly string[] RoleFields = ["arn", "trustPolicy", "policies", "tags", "maxSessionDuration"];

    /// <summary>Checks one policy document (JSON) of a kind ("identity" or "trust"); returns null or what is wrong.</summary>
    public static Func<string, string, string?> PolicyCheck { get; set; } = (_, _) => null;

    public static IdentityStore Read(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{path}: the file must be a JSON object with \"identities\" (and optionally \"roles\").");
            foreach (var property in root.EnumerateObject())
            {
                if (property.Name is not ("identities" or "roles"))
                    throw new InvalidDataException($"{path}: unknown field \"{property.Name}\" (the file has \"identities\" and \"roles\").");
            }

            var identities = Entries(root, "identities", path).Select((e, i) => Identity(e, $"{path}: identities[{i}]")).ToList();
            var roles = Entries(root, "roles", path).Select((e, i) => Role(e, $"{path}: roles[{i}]")).ToList();
            if (identities.Count == 0) throw new InvalidDataException($"{path}: no identities.");
            if (identities.GroupBy(i => i.AccessKeyId).FirstOrDefault(g => g.Count() > 1) is { } twice)
                throw new InvalidDataException($"{path}: access key {twice.Key} is given to more than one identity.");
            if (roles.GroupBy(r => r.Arn).FirstOrDefault(g => g.Count() > 1) is { } role)
                throw new InvalidDataException($"{path}: role {role.Key} appears more than once.");
            return new IdentityStore(identities, roles);
        }
    }

    private static IEnumerable<JsonElement> Entries(JsonElement root, string name, string path)
    {
        if (!root.TryGetProperty(name, out var list)) return [];
        if (list.ValueKind != JsonValueKind.Array) throw new InvalidDataException($"{path}: \"{name}\" must be an array.");
        return list.EnumerateArray().ToList();
    }

    private static KmsIdentity Identity(JsonElement e, string where)
    {
        Fields(e, where, IdentityFields);
        var accessKey = Text(e, "accessKeyId", where, required: true)!;
        var secret = Text(e, "secretAccessKey", where, required: true)!;
        var account = Text(e, "accountId", where, required: true)!;
        if (!AccountId().IsMatch(account)) throw Bad(where, "accountId", "a 12-digit account id is required.");
        var arn = Text(e, "principalArn", where, required: false) ?? $"arn:aws:iam::{account}:root";
        var match = IdentityArn().Match(arn);
        if (!match.Success) throw Bad(where, "principalArn", $"'{arn}' is not an account root (arn:aws:iam::ACCOUNT:root) or IAM user (arn:aws:iam::ACCOUNT:user/NAME) ARN.");
        if (match.Groups["account"].Value != account) throw Bad(where, "principalArn", $"'{arn}' is not in account {account}.");
        var via = Text(e, "viaService", where, required: false);
        if (via is not null && !ServiceName().IsMatch(via)) throw Bad(where, "viaService", $"'{via}' is not an AWS service name (lower-case letters, digits and '-', such as s3 or dynamodb).");
        return new KmsIdentity(accessKey, secret, account, arn) { Policies = Policies(e, where, "identity"), Tags = Tags(e, where), ViaService = via };
    }

    private static KmsRole Role(JsonElement e, string where)
    {
        Fields(e, where, RoleFields);
        var arn = Text(e, "arn", where, required: true)!;
        var match = RoleArn().Match(arn);
        if (!match.Success) throw Bad(where, "arn", $"'{arn}' is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME).");
        if (!e.TryGetProperty("trustPolicy", out var trust) || trust.ValueKind != JsonValueKind.Object)
            throw Bad(where, "trustPolicy", "a trust policy document (a JSON object) is required.");
        var trustText = trust.GetRawText();
        if (PolicyCheck(trustText, "trust") is { } problem) throw Bad(where, "trustPolicy", problem);
        var max = 3600;
        if (e.TryGetProperty("maxSessionDuration", out var duration) && (!duration.TryGetInt32(out max) || max is < 3600 or > 43200))
            throw Bad(where, "maxSessionDuration", "3600 to 43200 seconds.");
        return new KmsRole(arn, match.Groups["account"].Value, trustText)
        {
            Policies = Policies(e, where, "identity"),
            Tags = Tags(e, where),
            MaxSessionDurationSeconds = max,
        };
    }

    private static List<string> Policies(JsonElement e, string where, string kind)
    {
        if (!e.TryGetProperty("policies", out var list)) return [];
        if (list.ValueKind != JsonValueKind.Array) throw Bad(where, "policies", "an array of IAM policy documents is required.");
        var policies = new List<string>();
        var i = 0;
        foreach (var policy in list.EnumerateArray())
        {
            if (policy.ValueKind != JsonValueKind.Object) throw Bad(where, $"policies[{i}]", "an IAM policy document (a JSON object) is required.");
            var text = policy.GetRawText();
            if (PolicyCheck(text, kind) is { } problem) throw Bad(where, $"policies[{i}]", problem);
            policies.Add(text);
            i++;
        }

        return policies;
    }

    private static Dictionary<string, string> Tags(JsonElement e, string where)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!e.TryGetProperty("tags", out var map)) return tags;
        if (map.ValueKind != JsonValueKind.Object) throw Bad(where, "tags", "an object of tag keys to string values is required.");
        foreach (var tag in map.EnumerateObject())
        {
            if (tag.Value.ValueKind != JsonValueKind.String || tag.Name.Length is < 1 or > 128 || tag.Value.GetString()!.Length > 256)
                throw Bad(where, $"tags.{tag.Name}", "tag keys are 1 to 128 characters, values strings of at most 256.");
            tags[tag.Name] = tag.Value.GetString()!;
        }

        return tags;
    }

    private static void Fields(JsonElement e, string where, string[] known)
    {
        if (e.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"{where}: must be a JSON object.");
        foreach (var property in e.EnumerateObject())
        {
            if (!known.Contains(property.Name))
                throw new InvalidDataException($"{where}: unknown field \"{property.Name}\" (known: {string.Join(", ", known)}).");
        }
    }

    private static string? Text(JsonElement e, string name, string where, bool required)
    {
        if (!e.TryGetProperty(name, out var value))
            return required ? throw Bad(where, name, "required.") : null;
        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : throw Bad(where, name, "a non-empty string is required.");
    }

    private static InvalidDataException Bad(string where, string field, string message) => new($"{where}.{field}: {message}");

    [GeneratedRegex(@"^\d{12}$")]
    private static partial Regex AccountId();

    [GeneratedRegex(@"^arn:aws(-cn|-us-gov)?:iam::(?<account>\d{12}):(root|user/([\w+=,.@-]+/)*[\w+=,.@-]+)$")]
    private static partial Regex IdentityArn();

    [GeneratedRegex(@"^arn:aws(-cn|-us-gov)?:iam::(?<account>\d{12}):role/([\w+=,.@-]+/)*[\w+=,.@-]+$")]
    private static partial Regex RoleArn();

    [System.Text.RegularExpressions.GeneratedRegex("^[a-z][a-z0-9-]{0,62}$")]
    private static partial System.Text.RegularExpressions.Regex ServiceName();
}
