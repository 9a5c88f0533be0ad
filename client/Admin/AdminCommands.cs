namespace OrleansKms.Cli.Admin;

/// <summary>
/// <c>kms reset</c> and <c>kms seed FILE</c>: the development admin surface of a service started with
/// <c>--dev-admin</c>, called with the credentials of an account root (default the development identity, or
/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
/// </summary>
internal static class AdminCommands
{
    public const string ResetUsage = "Usage: kms reset [options]\n  Deletes every key, alias and grant of the service (started with --dev-admin).\n\n" + ServiceConnection.Help;

    public const string SeedUsage = "Usage: kms seed FILE [options]\n  Creates the keys of a seed file (YAML or JSON) unless they exist (service started with --dev-admin).\n\n" + ServiceConnection.Help;

    public static Task<int> ResetAsync(string[] args, CancellationToken cancel) => RunAsync(args, ResetUsage, file: false, "reset", cancel);

    public static Task<int> SeedAsync(string[] args, CancellationToken cancel) => RunAsync(args, SeedUsage, file: true, "seed", cancel);

    private static async Task<int> RunAsync(string[] args, string usage, bool file, string operation, CancellationToken cancel)
    {
        if (!TryParse(args, file, out var options, out var error))
        {
            (error is null ? Console.Out : Console.Error).WriteLine(error is null ? usage : $"kms {operation}: {error}\n\n{usage}");
            return error is null ? 0 : 2;
        }

        byte[] body;
        try
        {
            body = options.File is null ? [] : await File.ReadAllBytesAsync(options.File, cancel);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"kms {operation}: {e.Message}");
            return 1;
        }

        using var http = new HttpClient();
        var uri = new Uri(options.Endpoint, "/_kms/" + operation);
        using var request = SigV4Request.Post(uri, body, file ? "application/yaml" : "application/json", options.Region, options.AccessKey, options.SecretKey, DateTimeOffset.UtcNow, options.SessionToken);
        try
        {
            using var response = await http.SendAsync(request, cancel);
            var text = await response.Content.ReadAsStringAsync(cancel);
            if (response.IsSuccessStatusCode)
            {
                Console.WriteLine(text);
                return 0;
            }

            Console.Error.WriteLine(response.StatusCode == System.Net.HttpStatusCode.NotFound
                ? $"kms {operation}: {options.Endpoint} has no development admin surface (start the service with --dev-admin)."
                : $"kms {operation}: {(int)response.StatusCode} {text}");
            return 1;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"kms {operation}: {options.Endpoint}: {e.Message}");
            return 1;
        }
    }

    private sealed record AdminOptions(Uri Endpoint, string Region, string AccessKey, string SecretKey, string? File, string? SessionToken);

    private static bool TryParse(string[] args, bool needsFile, out AdminOptions options, out string? error)
    {
        var connection = new ServiceConnection();
        string? file = null;
        options = null!;
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") return false;
            if (!name.StartsWith("--", StringComparison.Ordinal))
            {
                if (!needsFile || file is not null) { error = $"unexpected argument '{name}'."; return false; }
                file = name;
                continue;
            }

            if (i + 1 >= args.Length) { error = $"{name} needs a value."; return false; }
            if (!ServiceConnection.IsOption(name)) { error = $"unknown option {name}."; return false; }
            connection.Set(name, args[++i]);
        }

        if (needsFile && file is null) { error = "the seed FILE is required."; return false; }
        if (!connection.TryValidate(out error)) return false;
        options = new AdminOptions(connection.Endpoint, connection.Region, connection.AccessKey, connection.SecretKey, file, connection.SessionToken);
        return true;
    }
}
