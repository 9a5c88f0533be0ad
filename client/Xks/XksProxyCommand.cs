using Microsoft.Extensions.Logging.Console;

namespace OrleansKms.Cli.Xks;

/// <summary>
/// <c>kms xks-proxy</c>: runs <see cref="XksProxyServer"/> until Ctrl-C. Exit codes: 0 stopped, 1 could not start,
/// 2 bad command line.
/// </summary>
internal static class XksProxyCommand
{
    public const int Stopped = 0, StartFailed = 1, BadUsage = 2;

    public static Task<int> RunAsync(string[] args, CancellationToken cancel) =>
        RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, cancel);

    /// <summary>Runs <c>kms xks-proxy ARGS</c>, printing to <paramref name="output"/> and <paramref name="error"/>, until <paramref name="cancel"/>.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<string, string?> environment, CancellationToken cancel)
    {
        var options = XksProxyArguments.Parse(args, environment, out var problem);
        if (options is null) return HelpOrBadUsage(problem, output, error);
        using var logging = ConsoleLogging();
        options.Logger = logging.CreateLogger("kms.xks-proxy");
        XksProxyServer server;
        try
        {
            server = await XksProxyServer.StartAsync(options, cancel);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or System.Security.Cryptography.CryptographicException)
        {
            error.WriteLine($"kms xks-proxy: could not start: {e.Message}");
            return StartFailed;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return Stopped;
        }

        await using (server)
        {
            Describe(output, server);
            // Ctrl-C cancels the command; a SIGTERM (docker stop, systemd) stops the web host, which ends the wait too.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel, server.Stopping);
            await WaitAsync(stop.Token);
            output.WriteLine("XKS proxy stopping.");
        }

        return Stopped;
    }

    private static int HelpOrBadUsage(string? problem, TextWriter output, TextWriter error)
    {
        if (problem is null)
        {
            output.WriteLine(XksProxyArguments.Usage);
            return Stopped;
        }

        error.WriteLine($"kms xks-proxy: {problem}");
        error.WriteLine("Run 'kms xks-proxy --help' for usage.");
        return BadUsage;
    }

    /// <summary>One line per request on the console, with a UTC timestamp.</summary>
    private static ILoggerFactory ConsoleLogging() => LoggerFactory.Create(b => b.AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
        o.UseUtcTimestamp = true;
        o.ColorBehavior = LoggerColorBehavior.Disabled;
    }));

    private static void Describe(TextWriter output, XksProxyServer server)
    {
        output.WriteLine($"XKS proxy serving {server.BaseUri}");
        output.WriteLine($"  XksProxyUriEndpoint: {server.Endpoint.GetLeftPart(UriPartial.Authority)}");
        output.WriteLine($"  XksProxyUriPath:     {server.UriPath}");
        var keys = server.Token.Keys().Where(k => k is { KeyType: "AES", ValueLength: 32 }).Select(k => k.Label).ToList();
        output.WriteLine($"  token '{server.Token.TokenLabel}' (serial {server.Token.SerialNumber}): {keys.Count} AES-256 key(s){(keys.Count > 0 ? ": " + string.Join(", ", keys) : "")}");
        output.WriteLine("Press Ctrl-C to stop.");
        output.Flush();
    }

    private static async Task WaitAsync(CancellationToken cancel)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancel);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: the normal way to stop.
        }
    }
}
