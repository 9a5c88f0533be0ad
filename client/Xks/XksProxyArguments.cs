using System.Globalization;

namespace OrleansKms.Cli.Xks;

/// <summary>The command line of <c>kms xks-proxy</c>, read into <see cref="XksProxyOptions"/>.</summary>
internal static class XksProxyArguments
{
    public const string PinVariable = "KMS_XKS_PIN", SecretVariable = "KMS_XKS_SECRET";

    public const string Usage = $"""
        Usage: kms xks-proxy --port P --pkcs11-module PATH --token-label L (--pin-file F | env {PinVariable})
                             --access-key-id ID (--secret-access-key-file F | env {SecretVariable}) [options]
          Serves the AWS External Key Store (XKS) proxy API v1 for the AES keys of a PKCS#11 token: external key ids
          are key labels in the token, and keys never leave it. Give KMS's CreateCustomKeyStore the printed
          XksProxyUriEndpoint and XksProxyUriPath, with the same access key id and secret access key.

          --port P                      TCP port to listen on (0: any free port; the endpoint is printed)
          --listen-address A            IP address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
          --uri-path /PREFIX            optional path prefix before /kms/xks/v1, e.g. /example/prefix
          --pkcs11-module PATH          the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so
          --token-label L               the label of the token holding the keys
          --pin-file F                  a file holding the token's user PIN (or set {PinVariable})
          --access-key-id ID            the SigV4 access key id KMS signs with: 20-30 characters A-Z and 2-7
          --secret-access-key-file F    a file holding its secret access key: 43-64 characters a-z A-Z 0-9 + / =
                                        (or set {SecretVariable}). Repeat both options, paired in order, to accept
                                        two credentials while rotating them.
          --create-key LABEL            create an AES-256 key of that label in the token at start if it is missing,
                                        for trying the proxy out (repeatable)
          --tls-certificate F --tls-key F
                                        serve HTTPS with this PEM certificate and key (KMS requires HTTPS with a
                                        publicly trusted certificate; without them the proxy serves plain HTTP)
          -h, --help                    print this help

        Ctrl-C stops the proxy. Exit code: 0 stopped, 1 could not start, 2 bad command line.
        """;

    /// <summary>The options, or null with <paramref name="error"/> set (null error and null options: --help).</summary>
    public static XksProxyOptions? Parse(string[] args, Func<string, string?> environment, out string? error)
    {
        error = null;
        var options = new XksProxyOptions();
        var (ids, secretFiles) = (new List<string>(), new List<string>());
        string? pinFile = null;
        var portGiven = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "-h" or "--help") return null;
            if (i + 1 >= args.Length || !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                error = args[i].StartsWith("--", StringComparison.Ordinal) ? $"{args[i]} needs a value." : $"unexpected argument '{args[i]}'.";
                return null;
            }

            var value = args[++i];
            switch (args[i - 1])
            {
                case "--port" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port): options.Port = port; portGiven = true; break;
                case "--listen-address": options.ListenAddress = value; break;
                case "--uri-path": options.UriPathPrefix = value; break;
                case "--pkcs11-module": options.ModulePath = value; break;
                case "--token-label": options.TokenLabel = value; break;
                case "--pin-file": pinFile = value; break;
                case "--access-key-id": ids.Add(value); break;
                case "--secret-access-key-file": secretFiles.Add(value); break;
                case "--create-key": options.CreateKeys.Add(value); break;
                case "--tls-certificate": options.TlsCertificatePath = value; break;
                case "--tls-key": options.TlsKeyPath = value; break;
                default:
                    error = args[i - 1] == "--port" ? $"--port must be a number, not '{value}'." : $"unknown option '{args[i - 1]}'.";
                    return null;
            }
        }

        error = portGiven ? Secrets(options, pinFile, ids, secretFiles, environment) ?? options.Validate() : "--port is required.";
        return error is null ? options : null;
    }

    /// <summary>Reads the PIN and secret access keys from their files or environment variables (never from the command line).</summary>
    private static string? Secrets(XksProxyOptions options, string? pinFile, List<string> ids, List<string> secretFiles, Func<string, string?> environment)
    {
        if (ids.Count == 0) return "--access-key-id is required.";
        if (secretFiles.Count == 0 && environment(SecretVariable) is { Length: > 0 } secret && ids.Count == 1)
            secretFiles.Add("");
        else if (secretFiles.Count != ids.Count)
            return $"give one --secret-access-key-file per --access-key-id (or set {SecretVariable} for a single one).";
        try
        {
            options.Pin = pinFile is not null ? ReadSecret(pinFile) : environment(PinVariable) ?? "";
            if (options.Pin.Length == 0) return $"the token's PIN is required: --pin-file F or {PinVariable}.";
            for (var i = 0; i < ids.Count; i++)
                options.Credentials.Add(new XksCredential(ids[i], secretFiles[i].Length == 0 ? environment(SecretVariable)!.Trim() : ReadSecret(secretFiles[i])));
            return null;
        }
        catch (IOException e)
        {
            return $"cannot read a secret file: {e.Message}";
        }
        catch (UnauthorizedAccessException e)
        {
            return $"cannot read a secret file: {e.Message}";
        }
    }

    private static string ReadSecret(string path) => File.ReadAllText(path).TrimEnd('\r', '\n');
}
