using System.Diagnostics.CodeAnalysis;

namespace OrleansKms.Cli.Policy;

/// <summary>The options of <c>kms policy simulate</c>; <see cref="TryParse"/> reads them from the command line.</summary>
internal sealed class SimulateOptions
{
    public const string Usage = $"""
        Usage: kms policy simulate --principal ARN --action kms:ACTION (--key KEY | --policy FILE) [options]
          Decides one request as AWS KMS would (key policy, identity policies, grants, explicit denies) and prints
          ALLOW or DENY (reason), the statements that decided it, AWS's AccessDeniedException message for a denial,
          and the request's condition keys. Nothing is called but the reads of --key: the service is not changed.

          --principal ARN         the caller: arn:aws:iam::ACCOUNT:root, ...:user/NAME, ...:role/NAME (simulated as a
                                  session of the role) or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
          --action kms:ACTION     the permission, e.g. kms:Decrypt, kms:PutKeyPolicy, kms:CreateKey
          --key KEY               key id, key ARN, alias or alias ARN: its policy, tags, spec, usage and origin are read
                                  from the service (DescribeKey, GetKeyPolicy, ListResourceTags) with the options below
          --policy FILE           a key policy document to decide with instead, offline
          --key-arn ARN           with --policy: the key's ARN (default arn:PARTITION:kms:REGION:ACCOUNT:key/
                                  00000000-0000-0000-0000-000000000000 in the principal's account and --region)
          --identity-policy FILE  an identity policy of the principal (repeatable; the output numbers them, and
                                  the statements of each policy, from 0)
          --principal-tag K=V     a tag of the principal: aws:PrincipalTag/K (repeatable)
          --context K=V           an encryption context pair of the request: kms:EncryptionContext:K and
                                  kms:EncryptionContextKeys (repeatable)
          --resource-tag K=V      a tag of the key: aws:ResourceTag/K (repeatable; with --key, added to the key's own)
          --condition KEY=VALUE   any other condition key, e.g. kms:EncryptionAlgorithm=RSAES_OAEP_SHA_256,
                                  aws:SourceIp=10.0.0.7, kms:KeySpec=RSA_2048 (repeat a KEY for several values;
                                  replaces what the command would set)
          --grant                 a grant on the key gives the principal the action (explicit denies still win)
          --output text|json      how to print the decision (default text)
        {ServiceConnection.Help}
          -h, --help              print this help

        With --policy, the key is taken as a new SYMMETRIC_DEFAULT key (kms:KeySpec, kms:KeyUsage, kms:KeyOrigin and
        kms:MultiRegion as CreateKey's defaults; --condition changes them). aws:SecureTransport is true, or with --key
        whether the endpoint is https. Actions on no key (kms:CreateKey, kms:ListKeys, ...) need neither --key nor --policy.

        Exit code: 0 allowed, 1 denied, 2 bad command line or policy file, 3 the key could not be read, 130 interrupted.
        """;

    public string? Principal { get; private set; }

    public string? Action { get; private set; }

    public string? Key { get; private set; }

    public string? PolicyFile { get; private set; }

    public string? KeyArn { get; private set; }

    public List<string> IdentityPolicyFiles { get; } = [];

    public Dictionary<string, string> PrincipalTags { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, string> EncryptionContext { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> ResourceTags { get; } = new(StringComparer.Ordinal);

    /// <summary>The --condition keys, each with its values in command-line order.</summary>
    public Dictionary<string, List<string>> Conditions { get; } = new(StringComparer.OrdinalIgnoreCase);

    public bool Grant { get; private set; }

    public bool Json { get; private set; }

    public ServiceConnection Connection { get; } = new();

    /// <summary>Parses <paramref name="args"/>; false with a null error means help was asked for.</summary>
    public static bool TryParse(string[] args, [NotNullWhen(true)] out SimulateOptions? options, out string? error)
    {
        var o = new SimulateOptions();
        options = null;
        error = null;
        for (var i = 0; i < args.Length && error is null; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") return false;
            if (name == "--grant")
            {
                o.Grant = true;
                continue;
            }

            if (!IsKnown(name)) error = name.StartsWith('-') ? $"unknown option {name}." : $"unexpected argument '{name}'.";
            else if (i + 1 >= args.Length) error = $"{name} needs a value.";
            else error = o.Apply(name, args[++i]);
        }

        error ??= o.Check();
        if (error is not null) return false;
        options = o;
        return true;
    }

    private static bool IsKnown(string name) => ServiceConnection.IsOption(name) || name is "--principal" or "--action"
        or "--key" or "--policy" or "--key-arn" or "--identity-policy" or "--principal-tag" or "--context" or "--resource-tag"
        or "--condition" or "--output";

    private string? Apply(string name, string value)
    {
        switch (name)
        {
            case "--principal": Principal = value; return null;
            case "--action": Action = value; return null;
            case "--key": Key = value; return null;
            case "--policy": PolicyFile = value; return null;
            case "--key-arn": KeyArn = value; return null;
            case "--identity-policy": IdentityPolicyFiles.Add(value); return null;
            case "--principal-tag": return Pair(name, value, (k, v) => PrincipalTags[k] = v);
            case "--context": return Pair(name, value, (k, v) => EncryptionContext[k] = v);
            case "--resource-tag": return Pair(name, value, (k, v) => ResourceTags[k] = v);
            case "--condition": return Pair(name, value, AddCondition);
            case "--output" when value is "text" or "json": Json = value == "json"; return null;
            case "--output": return $"--output takes text or json, not '{value}'.";
            default: Connection.Set(name, value); return null;
        }
    }

    private void AddCondition(string key, string value)
    {
        if (!Conditions.TryGetValue(key, out var values)) Conditions[key] = values = [];
        values.Add(value);
    }

    private static string? Pair(string name, string text, Action<string, string> add)
    {
        var equals = text.IndexOf('=');
        if (equals <= 0) return $"{name} takes KEY=VALUE, not '{text}'.";
        add(text[..equals], text[(equals + 1)..]);
        return null;
    }

    private string? Check()
    {
        if (Principal is null) return "--principal ARN is required.";
        if (Action is null) return "--action kms:ACTION is required.";
        if (Key is not null && PolicyFile is not null) return "give --key or --policy, not both.";
        if (KeyArn is not null && PolicyFile is null) return "--key-arn goes with --policy (with --key, the key's own ARN is used).";
        return Connection.TryValidate(out var error) ? null : error;
    }
}
