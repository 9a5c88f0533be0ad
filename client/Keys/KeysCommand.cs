using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace OrleansKms.Cli.Keys;

/// <summary><c>kms keys list|create|describe</c>: the keys of the caller's account in the Region signed for.</summary>
internal static class KeysCommand
{
    public const string Usage = $"""
        Usage: kms keys list [options]
               kms keys create [--description TEXT] [--key-spec SPEC] [--key-usage USAGE] [--multi-region]
                               [--alias NAME] [--tag KEY=VALUE]... [--policy FILE] [options]
               kms keys describe KEY [options]

        Subcommands:
          list                    every key of the account in the Region, with its aliases
          create                  a new key; prints its key id (--output json: its metadata)
          describe KEY            a key's metadata; KEY is a key id, key ARN, alias name or alias ARN

        Options of create:
          --description TEXT      the key's description
          --key-spec SPEC         SYMMETRIC_DEFAULT (default), RSA_2048, ECC_NIST_P256, HMAC_256, ...
          --key-usage USAGE       ENCRYPT_DECRYPT (default), SIGN_VERIFY, GENERATE_VERIFY_MAC, KEY_AGREEMENT
          --multi-region          a multi-Region primary key
          --alias NAME            also create this alias (alias/NAME) for the key
          --tag KEY=VALUE         a tag; repeat for more
          --policy FILE           the key policy, a JSON file (default: AWS's default key policy)

        Options:
          --output text|json      text (default), or JSON in the shapes of the AWS API
        {ServiceConnection.Help}
          -h, --help              print this help

        Exit code: 0 done, 1 the service refused or could not be reached, 2 bad command line, 130 interrupted.
        """;

    private static readonly string[] ValueOptions = ["--description", "--key-spec", "--key-usage", "--alias", "--tag", "--policy"];
    private static readonly string[] FlagOptions = ["--multi-region"];

    public static Task<int> RunAsync(string[] args, CancellationToken cancel) => RunAsync(args, Console.Out, Console.Error, cancel);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var subcommand = args.Length > 0 ? args[0] : null;
        if (subcommand is null or "-h" or "--help" or "help")
            return Usages.Print(subcommand is null ? "kms keys: a subcommand is required: list, create or describe KEY." : null, Usage, "kms keys", output, error);
        if (subcommand is not ("list" or "create" or "describe"))
            return Usages.Print($"kms keys: unknown subcommand '{subcommand}'; the subcommands are list, create and describe KEY.", Usage, "kms keys", output, error);

        var line = CommandLine.Parse(args[1..], subcommand == "create" ? ValueOptions : [], subcommand == "create" ? FlagOptions : [], out var problem);
        problem ??= line!.Help ? null : Check(subcommand, line);
        if (line is null || line.Help || problem is not null) return Usages.Print(problem is null ? null : $"kms keys {subcommand}: {problem}", Usage, "kms keys", output, error);

        string? policy = null;
        if (line.Value("--policy") is { } file)
        {
            try
            {
                policy = await File.ReadAllTextAsync(file, cancel);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"kms keys create: --policy {file}: {e.Message}");
                return ServiceErrors.Failed;
            }
        }

        using var kms = line.Connection.CreateKmsClient();
        return await ServiceErrors.RunAsync($"kms keys {subcommand}", line.Connection.Endpoint, error, cancel, () => subcommand switch
        {
            "list" => ListAsync(kms, line, output, cancel),
            "create" => CreateAsync(kms, line, policy, output, cancel),
            _ => DescribeAsync(kms, line.Arguments[0], line.Json, output, cancel),
        });
    }

    private static string? Check(string subcommand, CommandLine line)
    {
        var expected = subcommand == "describe" ? 1 : 0;
        if (line.Arguments.Count < expected) return "the KEY to describe is required.";
        if (line.Arguments.Count > expected) return $"unexpected argument '{line.Arguments[expected]}'.";
        if (line.Values.GetValueOrDefault("--tag")?.FirstOrDefault(t => t.IndexOf('=') <= 0) is { } tag) return $"--tag takes KEY=VALUE, not '{tag}'.";
        return line.Connection.TryValidate(out var error) ? null : error;
    }

    private static async Task<int> ListAsync(AmazonKeyManagementServiceClient kms, CommandLine line, TextWriter output, CancellationToken cancel)
    {
        var keys = new List<KeyListEntry>();
        string? marker = null;
        do
        {
            var page = await kms.ListKeysAsync(new ListKeysRequest { Marker = marker }, cancel);
            keys.AddRange(page.Keys ?? []);
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        var aliases = (await Aliases.AliasCommand.AllAsync(kms, null, cancel)).Where(a => a.TargetKeyId is not null).ToLookup(a => a.TargetKeyId);
        if (line.Json)
        {
            output.WriteLine(new JsonObject
            {
                ["Keys"] = new JsonArray([.. keys.Select(k => (JsonNode)new JsonObject
                {
                    ["KeyId"] = k.KeyId, ["KeyArn"] = k.KeyArn,
                    ["Aliases"] = new JsonArray([.. aliases[k.KeyId].Select(a => (JsonNode)a.AliasName)]),
                })]),
            }.ToJsonString(Usages.Indented));
            return ServiceErrors.Done;
        }

        output.WriteLine($"{"KEY ID",-38}ALIASES");
        foreach (var key in keys) output.WriteLine($"{key.KeyId,-38}{string.Join(", ", aliases[key.KeyId].Select(a => a.AliasName))}".TrimEnd());
        return ServiceErrors.Done;
    }

    private static async Task<int> CreateAsync(AmazonKeyManagementServiceClient kms, CommandLine line, string? policy, TextWriter output, CancellationToken cancel)
    {
        var request = new CreateKeyRequest
        {
            Description = line.Value("--description"),
            KeySpec = line.Value("--key-spec") is { } spec ? new KeySpec(spec) : null,
            KeyUsage = line.Value("--key-usage") is { } usage ? new KeyUsageType(usage) : null,
            MultiRegion = line.Flags.Contains("--multi-region") ? true : null,
            Policy = policy,
            Tags = line.Values.GetValueOrDefault("--tag")?.Select(t => new Tag { TagKey = t[..t.IndexOf('=')], TagValue = t[(t.IndexOf('=') + 1)..] }).ToList(),
        };
        var key = (await kms.CreateKeyAsync(request, cancel)).KeyMetadata;
        if (line.Value("--alias") is { } alias)
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = Aliases.AliasCommand.Qualified(alias), TargetKeyId = key.KeyId }, cancel);
        output.WriteLine(line.Json ? new JsonObject { ["KeyMetadata"] = Metadata(key) }.ToJsonString(Usages.Indented) : key.KeyId);
        return ServiceErrors.Done;
    }

    private static async Task<int> DescribeAsync(AmazonKeyManagementServiceClient kms, string keyId, bool json, TextWriter output, CancellationToken cancel)
    {
        var key = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, cancel)).KeyMetadata;
        var metadata = Metadata(key);
        if (json)
        {
            output.WriteLine(new JsonObject { ["KeyMetadata"] = metadata }.ToJsonString(Usages.Indented));
            return ServiceErrors.Done;
        }

        foreach (var (name, value) in metadata)
            if (value is not null) output.WriteLine($"{name + ":",-22}{(value is JsonArray list ? string.Join(", ", list.Select(v => v!.ToString())) : value.ToString())}");
        return ServiceErrors.Done;
    }

    /// <summary>The key's metadata in the member names of the AWS API (unset members left out).</summary>
    private static JsonObject Metadata(Amazon.KeyManagementService.Model.KeyMetadata k)
    {
        var o = new JsonObject
        {
            ["KeyId"] = k.KeyId,
            ["Arn"] = k.Arn,
            ["AWSAccountId"] = k.AWSAccountId,
            ["Description"] = k.Description,
            ["KeyState"] = k.KeyState?.Value,
            ["Enabled"] = k.Enabled,
            ["KeySpec"] = k.KeySpec?.Value,
            ["KeyUsage"] = k.KeyUsage?.Value,
            ["Origin"] = k.Origin?.Value,
            ["KeyManager"] = k.KeyManager?.Value,
            ["MultiRegion"] = k.MultiRegion,
            ["CreationDate"] = k.CreationDate?.ToUniversalTime().ToString("O"),
            ["DeletionDate"] = k.DeletionDate?.ToUniversalTime().ToString("O"),
            ["EncryptionAlgorithms"] = k.EncryptionAlgorithms is { Count: > 0 } e ? new JsonArray([.. e.Select(a => (JsonNode)a)]) : null,
            ["SigningAlgorithms"] = k.SigningAlgorithms is { Count: > 0 } s ? new JsonArray([.. s.Select(a => (JsonNode)a)]) : null,
            ["MacAlgorithms"] = k.MacAlgorithms is { Count: > 0 } m ? new JsonArray([.. m.Select(a => (JsonNode)a)]) : null,
        };
        foreach (var empty in o.Where(p => p.Value is null).Select(p => p.Key).ToList()) o.Remove(empty);
        return o;
    }
}
