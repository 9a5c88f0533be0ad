using System.Net.Sockets;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using OrleansKms.Encryption;

namespace OrleansKms.Cli.Envelope;

/// <summary>
/// <c>kms encrypt</c> and <c>kms decrypt</c>: envelope encryption of files and pipes with the OrleansKms.Encryption
/// library. A failure is one line on standard error and exit code 1; a file output is written under a temporary name
/// and renamed only on success, so a failed run leaves no partial file.
/// </summary>
internal static class EnvelopeCommands
{
    public static Task<int> EncryptAsync(string[] args, CancellationToken cancel) =>
        RunAsync(args, encrypt: true, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error, !Console.IsErrorRedirected, cancel);

    public static Task<int> DecryptAsync(string[] args, CancellationToken cancel) =>
        RunAsync(args, encrypt: false, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.Error, !Console.IsErrorRedirected, cancel);

    internal static async Task<int> RunAsync(string[] args, bool encrypt, Stream stdin, Stream stdout, TextWriter stderr, bool stderrIsTerminal,
        CancellationToken cancel)
    {
        var command = encrypt ? "kms encrypt" : "kms decrypt";
        if (!EnvelopeOptions.TryParse(args, encrypt, out var options, out var error))
        {
            if (error is null)
            {
                await using var help = new StreamWriter(stdout, leaveOpen: true);
                await help.WriteLineAsync(encrypt ? EnvelopeOptions.EncryptUsage : EnvelopeOptions.DecryptUsage);
                return 0;
            }

            await stderr.WriteLineAsync($"{command}: {error}\nRun '{command} --help' for the options.");
            return 2;
        }

        try
        {
            using var clients = new RegionalClients(options.Connection);
            var keyring = new KmsKeyring(new KmsKeyringOptions
            {
                Client = clients.For(options.Connection.Region),
                ClientForRegion = clients.For,
                KeyIds = options.Keys,
                DiscoveryRegion = options.Connection.Region,
            });
            var client = new EnvelopeEncryptionClient(keyring, new EnvelopeEncryptionOptions { Algorithm = options.Algorithm, FrameLength = options.FrameSize });
            await using var input = OpenInput(options.In, stdin, out var length);
            using var progress = stderrIsTerminal && length is { } total ? new ProgressBar(stderr, total) : null;
            Stream source = progress is null ? input : new CountingStream(input, progress.Report);
            await WriteOutputAsync(options.Out, stdout, output => encrypt
                ? client.EncryptAsync(source, output, options.Context, cancel)
                : client.DecryptAsync(source, output, options.Context, cancel));
            progress?.Complete();
            return 0;
        }
        catch (Exception e) when (Describe(e, options) is { } reason)
        {
            await stderr.WriteLineAsync($"{command}: {reason}");
            return 1;
        }
    }

    private static Stream OpenInput(string path, Stream stdin, out long? length)
    {
        if (path == "-")
        {
            length = null;
            return stdin;
        }

        var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, BufferSize = 0, Options = FileOptions.SequentialScan });
        length = file.Length;
        return file;
    }

    private static async Task WriteOutputAsync(string path, Stream stdout, Func<Stream, Task> write)
    {
        if (path == "-")
        {
            await write(stdout);
            await stdout.FlushAsync();
            return;
        }

        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var output = new FileStream(temporary, options)) await write(output);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    // The one-line reason for an error a user can cause or meet; null lets anything else (a bug) surface as it is.
    private static string? Describe(Exception e, EnvelopeOptions options) => e switch
    {
        NoDecryptableDataKeyException { InnerException: { } inner } when Unreachable(inner) => Unreachable(options, inner),
        EnvelopeException => OneLine(e.Message),
        AmazonKeyManagementServiceException k => OneLine($"{k.ErrorCode}: {k.Message}"),
        _ when Unreachable(e) => Unreachable(options, e),
        AmazonServiceException s => OneLine($"{s.ErrorCode}: {s.Message}"),
        FileNotFoundException f => OneLine($"cannot read {f.FileName}: no such file."),
        IOException or UnauthorizedAccessException => OneLine(e.Message),
        _ => null,
    };

    private static bool Unreachable(Exception e) => e is HttpRequestException or SocketException or AmazonClientException
        || (e.InnerException is { } inner && Unreachable(inner));

    private static string Unreachable(EnvelopeOptions options, Exception e)
    {
        var root = e;
        while (root.InnerException is { } inner) root = inner;
        return OneLine($"cannot reach the KMS endpoint {options.Connection.Endpoint}: {root.Message}");
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
