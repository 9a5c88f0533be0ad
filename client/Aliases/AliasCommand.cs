using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace OrleansKms.Cli.Aliases;

/// <summary><c>kms alias list|create|update|delete</c>: the aliases of the caller's account in the Region signed for.</summary>
internal static class AliasCommand
{
    public const string Usage = $"""
        Usage: kms alias list [--key KEY] [options]
               kms alias create ALIAS KEY [options]
               kms alias update ALIAS KEY [options]
               kms alias delete ALIAS [options]

        Subcommands:
          list                    every alias of the account in the Region and its key (--key: those of one key)
          create ALIAS KEY        a new alias for KEY (a key id or key ARN)
          update ALIAS KEY        point an existing alias at another KEY
          delete ALIAS            delete an alias (its key is untouched)

        ALIAS is alias/NAME or just NAME.

        Options:
          --key KEY               list only: the aliases of this key
          --output text|json      text (default), or JSON in the shapes of the AWS API
        {ServiceConnection.Help}
          -h, --help              print this help

        Exit code: 0 done, 1 the service refused or could not be reached, 2 bad command line, 130 interrupted.
        """;

    public static Task<int> RunAsync(string[] args, CancellationToken cancel) => RunAsync(args, Console.Out, Console.Error, cancel);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancel)
    {
        var subcommand = args.Length > 0 ? args[0] : null;
        if (subcommand is null or "-h" or "--help" or "help")
            return Usages.Print(subcommand is null ? "kms alias: a subcommand is required: list, create, update or delete." : null, Usage, "kms alias", output, error);
        var arity = subcommand switch { "list" => 0, "create" or "update" => 2, "delete" => 1, _ => -1 };
        if (arity < 0)
            return Usages.Print($"kms alias: unknown subcommand '{subcommand}'; the subcommands are list, create, update and delete.", Usage, "kms alias", output, error);

        var line = CommandLine.Parse(args[1..], subcommand == "list" ? ["--key"] : [], [], out var problem);
        if (line is { Help: false })
        {
            if (line.Arguments.Count < arity) problem = subcommand == "delete" ? "the ALIAS to delete is required." : $"{subcommand} needs ALIAS and KEY.";
            else if (line.Arguments.Count > arity) problem = $"unexpected argument '{line.Arguments[arity]}'.";
            else if (!line.Connection.TryValidate(out problem)) { }
        }

        if (line is null || line.Help || problem is not null) return Usages.Print(problem is null ? null : $"kms alias {subcommand}: {problem}", Usage, "kms alias", output, error);

        using var kms = line.Connection.CreateKmsClient();
        return await ServiceErrors.RunAsync($"kms alias {subcommand}", line.Connection.Endpoint, error, cancel, async () =>
        {
            var a = line.Arguments;
            switch (subcommand)
            {
                case "list":
                    Write(await AllAsync(kms, line.Value("--key"), cancel), line.Json, output);
                    break;
                case "create":
                    await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = Qualified(a[0]), TargetKeyId = a[1] }, cancel);
                    output.WriteLine($"Created {Qualified(a[0])} -> {a[1]}.");
                    break;
                case "update":
                    await kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = Qualified(a[0]), TargetKeyId = a[1] }, cancel);
                    output.WriteLine($"Updated {Qualified(a[0])} -> {a[1]}.");
                    break;
                default:
                    await kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = Qualified(a[0]) }, cancel);
                    output.WriteLine($"Deleted {Qualified(a[0])}.");
                    break;
            }

            return ServiceErrors.Done;
        });
    }

    /// <summary><c>alias/NAME</c> for NAME; an alias/ name unchanged.</summary>
    public static string Qualified(string alias) => alias.StartsWith("alias/", StringComparison.Ordinal) ? alias : "alias/" + alias;

    /// <summary>Every alias of the account (or of <paramref name="keyId"/>), all pages.</summary>
    public static async Task<List<AliasListEntry>> AllAsync(IAmazonKeyManagementService kms, string? keyId, CancellationToken cancel)
    {
        var aliases = new List<AliasListEntry>();
        string? marker = null;
        do
        {
            var page = await kms.ListAliasesAsync(new ListAliasesRequest { KeyId = keyId, Marker = marker }, cancel);
            aliases.AddRange(page.Aliases ?? []);
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        return aliases;
    }

    private static void Write(List<AliasListEntry> aliases, bool json, TextWriter output)
    {
        if (json)
        {
            output.WriteLine(new JsonObject
            {
                ["Aliases"] = new JsonArray([.. aliases.Select(a =>
                {
                    var o = new JsonObject { ["AliasName"] = a.AliasName, ["AliasArn"] = a.AliasArn };
                    if (a.TargetKeyId is not null) o["TargetKeyId"] = a.TargetKeyId;
                    return (JsonNode)o;
                })]),
            }.ToJsonString(Usages.Indented));
            return;
        }

        var width = Math.Max(24, aliases.Select(a => a.AliasName.Length + 2).DefaultIfEmpty(0).Max());
        output.WriteLine($"{"ALIAS".PadRight(width)}TARGET KEY ID");
        foreach (var alias in aliases) output.WriteLine($"{alias.AliasName.PadRight(width)}{alias.TargetKeyId}".TrimEnd());
    }
}
