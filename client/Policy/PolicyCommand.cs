using Amazon.Runtime;
using OrleansKms.Policy;

namespace OrleansKms.Cli.Policy;

/// <summary>
/// <c>kms policy simulate</c>: decides one request as the service would, and says why (the service logs a denial's
/// statements but never returns them to the caller). Exit codes: 0 allowed, 1 denied, 2 bad command line or policy
/// file, 3 the key could not be read, 130 interrupted.
/// </summary>
internal static class PolicyCommand
{
    public const int Allowed = 0, Denied = 1, BadUsage = 2, ReadFailed = 3, Interrupted = 130;

    public const string Usage = """
        Usage: kms policy SUBCOMMAND [options]

        Subcommands:
          simulate   decide one request as AWS KMS would, and print the statements that decided it

        Run 'kms policy simulate --help' for its options.
        """;

    public static Task<int> RunAsync(string[] args, CancellationToken cancel) =>
        RunAsync(args, Console.Out, Console.Error, TimeProvider.System, cancel);

    /// <summary>Runs <c>kms policy ARGS</c>, printing to <paramref name="output"/> and <paramref name="error"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancel)
    {
        if (args.Length > 0 && args[0] == "simulate") return await SimulateAsync(args[1..], output, error, time, cancel);
        var help = args.Length > 0 && args[0] is "-h" or "--help" or "help";
        if (!help) error.WriteLine(args.Length == 0 ? "kms policy: a subcommand is required." : $"kms policy: unknown subcommand '{args[0]}'.");
        (help ? output : error).WriteLine(Usage);
        return help ? Allowed : BadUsage;
    }

    private static async Task<int> SimulateAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancel)
    {
        if (!SimulateOptions.TryParse(args, out var options, out var problem))
        {
            if (problem is null)
            {
                output.WriteLine(SimulateOptions.Usage);
                return Allowed;
            }

            return BadCommandLine(error, problem);
        }

        try
        {
            var input = await InputAsync(options, time, cancel);
            var simulation = PolicySimulation.Run(input);
            if (options.Json) SimulationReport.WriteJson(output, simulation, options.IdentityPolicyFiles);
            else SimulationReport.WriteText(output, simulation, options.IdentityPolicyFiles);
            return simulation.Decision.Allowed ? Allowed : Denied;
        }
        catch (UsageException e)
        {
            return BadCommandLine(error, e.Message);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            error.WriteLine("kms policy simulate: interrupted.");
            return Interrupted;
        }
        catch (Exception e) when (e is AmazonServiceException or AmazonClientException or HttpRequestException or PolicyFormatException or InvalidDataException)
        {
            var why = e is AmazonServiceException s ? $"{s.ErrorCode}: {s.Message}" : e.Message;
            error.WriteLine($"kms policy simulate: reading key {options.Key} from {options.Connection.Endpoint} failed: {why}");
            return ReadFailed;
        }
    }

    private static int BadCommandLine(TextWriter error, string problem)
    {
        error.WriteLine($"kms policy simulate: {problem}");
        error.WriteLine("Run 'kms policy simulate --help' for usage.");
        return BadUsage;
    }

    /// <summary>Everything the simulation decides on: files read and checked, the key read from the service (--key).</summary>
    private static async Task<SimulationInput> InputAsync(SimulateOptions o, TimeProvider time, CancellationToken cancel)
    {
        if (!SimulatedPrincipal.TryParse(o.Principal!, o.PrincipalTags, out var principal, out var problem)) throw new UsageException(problem!);
        var permission = PolicySimulation.Permission(o.Action!)
            ?? throw new UsageException($"--action '{o.Action}' is not an AWS KMS permission (such as kms:Decrypt or kms:CreateKey).");
        var identities = new List<PolicyDocument>();
        foreach (var file in o.IdentityPolicyFiles) identities.Add(await ReadPolicyAsync(file, PolicyKind.IdentityPolicy, cancel));

        var key = o.Key is not null ? await SimulatedKey.ReadAsync(o.Connection, o.Key, cancel)
            : o.PolicyFile is not null ? await OfflineKeyAsync(o, principal, cancel)
            : permission.Resource == PermissionResource.None ? null
            : throw new UsageException($"{permission.Action} is decided on a key: give --key KEY or --policy FILE.");
        if (key is not null && o.ResourceTags.Count > 0)
        {
            var tags = new Dictionary<string, string>(key.Tags, StringComparer.Ordinal);
            foreach (var (k, v) in o.ResourceTags) tags[k] = v;
            key = key with { Tags = tags };
        }

        return new SimulationInput(principal, permission, key)
        {
            IdentityPolicies = identities,
            GrantAllows = o.Grant,
            EncryptionContext = o.EncryptionContext,
            Conditions = o.Conditions,
            SecureTransport = o.Key is null || o.Connection.Endpoint.Scheme == Uri.UriSchemeHttps,
            Now = time.GetUtcNow(),
        };
    }

    private static async Task<SimulatedKey> OfflineKeyAsync(SimulateOptions o, CallerPrincipal principal, CancellationToken cancel)
    {
        var policy = await ReadPolicyAsync(o.PolicyFile!, PolicyKind.KeyPolicy, cancel);
        if (o.KeyArn is null) return new SimulatedKey(SimulatedKey.Placeholder(o.Connection.Region, principal.AccountId), policy);
        if (KeyArn.TryParse(o.KeyArn, out var parsed) && parsed is { } arn) return new SimulatedKey(arn, policy);
        throw new UsageException($"--key-arn '{o.KeyArn}' is not a key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/KEY-ID).");
    }

    private static async Task<PolicyDocument> ReadPolicyAsync(string file, PolicyKind kind, CancellationToken cancel)
    {
        var what = kind == PolicyKind.KeyPolicy ? "key policy" : "identity policy";
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file, cancel);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{what} {file}: {e.Message}");
        }

        try
        {
            return PolicyDocument.Parse(text, kind);
        }
        catch (PolicyFormatException e)
        {
            throw new UsageException($"{what} {file}: {e.Message}");
        }
    }

    /// <summary>A command line or file the simulation cannot use: exit code 2.</summary>
    private sealed class UsageException(string message) : Exception(message);
}
