using System.Net.Sockets;
using Amazon.Runtime;

namespace OrleansKms.Cli;

/// <summary>
/// Runs a command's calls to the service and turns a failure into one line on standard error and exit code 1: the
/// service's AWS error (<c>NotFoundException: Key '...' does not exist</c>), or an endpoint that cannot be reached.
/// </summary>
internal static class ServiceErrors
{
    public const int Done = 0, Failed = 1, BadUsage = 2, Interrupted = 130;

    public static async Task<int> RunAsync(string command, Uri endpoint, TextWriter error, CancellationToken cancel, Func<Task<int>> run)
    {
        try
        {
            return await run();
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            error.WriteLine($"{command}: interrupted.");
            return Interrupted;
        }
        catch (Exception e) when (Describe(e, endpoint) is { } line)
        {
            error.WriteLine($"{command}: {line}");
            return Failed;
        }
    }

    /// <summary>One line for a failure a user can act on; null for a bug (which then surfaces with its stack).</summary>
    public static string? Describe(Exception e, Uri endpoint)
    {
        if (e is Admin.SignedCallException signed) return signed.Message;
        if (e is AmazonServiceException { ErrorCode: { Length: > 0 } code } service && service.InnerException is not HttpRequestException)
            return $"{code}: {OneLine(service.Message)}";
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (cause is SocketException socket) return $"cannot reach {endpoint}: {OneLine(socket.Message)}.";
            if (cause is HttpRequestException or IOException && cause.InnerException is null) return $"cannot reach {endpoint}: {OneLine(cause.Message)}";
        }

        if (e is HttpRequestException or AmazonServiceException) return $"cannot reach {endpoint}: {OneLine(e.Message)}";
        if (e is TaskCanceledException or TimeoutException) return $"{endpoint} did not answer in time.";
        if (e is AmazonClientException client) return OneLine(client.Message);
        return null;
    }

    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
