using System.Globalization;
using OrleansKms.Encryption;

namespace OrleansKms.Cli.Envelope;

/// <summary>The options of <c>kms encrypt</c> and <c>kms decrypt</c>; <see cref="TryParse"/> reads them from the command line.</summary>
internal sealed class EnvelopeOptions
{
    /// <summary>
    /// The command's frame length: 64 KiB, not the SDKs' 4096 bytes: files are what this command encrypts, and 64 KiB
    /// frames encrypt about twice as fast per core (docs/performance.md) for 64 KiB of memory; every SDK reads them.
    /// </summary>
    public const int DefaultFrameSize = 65536;

    public static readonly string EncryptUsage = $"""
        Usage: kms encrypt --key KEY [--key KEY2 ...] --in FILE|- --out FILE|- [options]
          Encrypts a file or a pipe into one AWS Encryption SDK message (format version 2, committing suite), with a
          data key from KMS encrypted under every --key. Any AWS Encryption SDK (CLI, Java, Python, JavaScript, .NET)
          decrypts it. See docs/envelope-encryption.md.

          --key KEY               KMS key id, key ARN, alias name or alias ARN; repeat for more wrapping keys (the
                                  first generates the data key)
          --in FILE|-             plaintext to read ('-': standard input)
          --out FILE|-            message to write ('-': standard output); a file appears only once complete
          --context k=v           an encryption context pair; repeat for more
          --frame-size N          plaintext bytes per frame (default {DefaultFrameSize}; the SDKs' default is {EnvelopeEncryptionOptions.DefaultFrameLength},
                                  larger frames are faster)
          --algorithm NAME        committed-signed (default: AES-256-GCM, key commitment, ECDSA P-384 signature)
                                  or committed (no signature)
        {ServiceConnection.Help}
          -h, --help              print this help

        Exit code: 0 on success, 1 when encryption failed (the reason on one line of standard error), 2 for a bad
        command line. A progress bar is drawn on standard error when it is a terminal and the input size is known.
        """;

    public const string DecryptUsage = $"""
        Usage: kms decrypt --in FILE|- --out FILE|- [options]
          Decrypts one AWS Encryption SDK message (format version 2: suites 0x0478 and 0x0578). The KMS keys are the ones
          the message names (a multi-Region key is used through its replica in --region), unless --key limits them.

          --in FILE|-             message to read ('-': standard input)
          --out FILE|-            plaintext to write ('-': standard output). A file appears only once every check
                                  passed. Standard output receives frames as they verify; on failure (exit code 1)
                                  discard what was written
          --context k=v           a pair the message's encryption context must contain; repeat for more
          --key KEY               decrypt only with this KMS key ARN (or a replica of it); repeat for more
        {ServiceConnection.Help}
          -h, --help              print this help

        Exit code: 0 on success, 1 when decryption failed (wrong key, changed or cut-short message, context mismatch,
        unreachable endpoint; the reason on one line of standard error), 2 for a bad command line.
        """;

    public ServiceConnection Connection { get; } = new();

    public List<string> Keys { get; } = [];

    public Dictionary<string, string> Context { get; } = new(StringComparer.Ordinal);

    public string In { get; private set; } = null!;

    public string Out { get; private set; } = null!;

    public int FrameSize { get; private set; } = DefaultFrameSize;

    public AlgorithmSuite Algorithm { get; private set; } = AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384;

    /// <summary>Parses <paramref name="args"/>; false with a null error means help was asked for.</summary>
    public static bool TryParse(string[] args, bool encrypt, out EnvelopeOptions options, out string? error)
    {
        options = new EnvelopeOptions();
        error = null;
        string? input = null, output = null;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help") return false;
            if (i + 1 >= args.Length) { error = name.StartsWith("--", StringComparison.Ordinal) ? $"{name} needs a value." : $"unexpected argument '{name}'."; return false; }
            var value = args[++i];
            switch (name)
            {
                case "--in": input = value; break;
                case "--out": output = value; break;
                case "--key": options.Keys.Add(value); break;
                case "--context":
                    var at = value.IndexOf('=');
                    if (at <= 0) { error = $"--context takes k=v (not '{value}')."; return false; }
                    options.Context[value[..at]] = value[(at + 1)..];
                    break;
                case "--frame-size" when encrypt:
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var frame) || frame < 1 || frame > 64 << 20)
                    { error = $"--frame-size takes a number of bytes from 1 to {64 << 20} (not '{value}')."; return false; }
                    options.FrameSize = frame;
                    break;
                case "--algorithm" when encrypt:
                    options.Algorithm = value switch
                    {
                        "committed-signed" => AlgorithmSuite.AesGcm256HkdfSha512CommitKeyEcdsaP384,
                        "committed" => AlgorithmSuite.AesGcm256HkdfSha512CommitKey,
                        _ => 0,
                    };
                    if (options.Algorithm == 0) { error = $"--algorithm takes committed-signed or committed (not '{value}')."; return false; }
                    break;
                default:
                    if (!ServiceConnection.IsOption(name)) { error = $"unknown option {name}."; return false; }
                    options.Connection.Set(name, value);
                    break;
            }
        }

        if (input is null || output is null) { error = "--in and --out are required."; return false; }
        if (encrypt && options.Keys.Count == 0) { error = "--key is required (a KMS key to wrap the data key)."; return false; }
        (options.In, options.Out) = (input, output);
        return options.Connection.TryValidate(out error);
    }
}
