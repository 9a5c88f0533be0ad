using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansKms.Cli.Xks;

/// <summary>A SigV4 credential the proxy accepts. <see cref="ToString"/> never shows the secret.</summary>
internal sealed record XksCredential(string AccessKeyId, string SecretAccessKey)
{
    public override string ToString() => $"XksCredential {{ AccessKeyId = {AccessKeyId} }}";
}

/// <summary>What <see cref="XksProxyServer"/> serves, where, and with which token and credentials.</summary>
internal sealed partial class XksProxyOptions
{
    /// <summary>The API's fixed part after the optional prefix (XKS proxy API v1).</summary>
    public const string ApiPath = "/kms/xks/v1";

    /// <summary>TCP port to listen on; 0 (the default) lets the OS pick a free one (see <see cref="XksProxyServer.Endpoint"/>).</summary>
    public int Port { get; set; }

    /// <summary>IP address to listen on. Default 127.0.0.1.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>Optional path prefix before <c>/kms/xks/v1</c>, e.g. <c>/example/prefix</c>. Default none.</summary>
    public string UriPathPrefix { get; set; } = "";

    /// <summary>The PKCS#11 module holding the keys, e.g. /usr/lib/softhsm/libsofthsm2.so. Required.</summary>
    public string ModulePath { get; set; } = "";

    /// <summary>The label of the token holding the keys; external key ids are key labels in it. Required.</summary>
    public string TokenLabel { get; set; } = "";

    /// <summary>The token's user PIN. Required; never logged.</summary>
    public string Pin { get; set; } = "";

    /// <summary>The SigV4 credentials KMS may sign with (two during a rotation). At least one.</summary>
    public List<XksCredential> Credentials { get; } = [];

    /// <summary>Labels of AES-256 keys to create in the token at start when missing, for trying the proxy out.</summary>
    public List<string> CreateKeys { get; } = [];

    /// <summary>PEM certificate (chain) to serve HTTPS with; with <see cref="TlsKeyPath"/>. Default none: plain HTTP.</summary>
    public string? TlsCertificatePath { get; set; }

    /// <summary>PEM private key of <see cref="TlsCertificatePath"/>.</summary>
    public string? TlsKeyPath { get; set; }

    /// <summary>The clock signatures are checked against. Default the system clock.</summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>How far a request's X-Amz-Date may be from <see cref="Time"/>, either way. Default 5 minutes (the spec's).</summary>
    public TimeSpan AllowedClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Where the request log goes (request ids, operations, outcomes; never plaintext or secrets). Default none.</summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>KMS's XksProxyUriPath for this proxy: the prefix and <c>/kms/xks/v1</c>.</summary>
    public string UriPath => UriPathPrefix.TrimEnd('/') + ApiPath;

    /// <summary>What is wrong with these options, in words that say what to set; null when they are valid.</summary>
    public string? Validate()
    {
        if (Port is < 0 or > 65535) return $"{nameof(Port)} must be 0 to 65535, not {Port}.";
        if (!IPAddress.TryParse(ListenAddress, out _)) return $"{nameof(ListenAddress)} must be an IP address, not '{ListenAddress}'.";
        if (UriPathPrefix.Length > 0 && !UriPathPattern().IsMatch(UriPathPrefix))
            return $"{nameof(UriPathPrefix)} must start with '/' and hold only a-z, A-Z, 0-9, '/', '-' and '_', not '{UriPathPrefix}'.";
        if (UriPath.Length > 128) return $"The URI path '{UriPath}' is longer than the 128 characters KMS allows; shorten {nameof(UriPathPrefix)}.";
        if (string.IsNullOrWhiteSpace(ModulePath)) return $"{nameof(ModulePath)} (the PKCS#11 module) is required.";
        if (string.IsNullOrWhiteSpace(TokenLabel)) return $"{nameof(TokenLabel)} is required.";
        if (Pin.Length == 0) return $"{nameof(Pin)} (the token's user PIN) is required.";
        if (Credentials.Count == 0) return $"{nameof(Credentials)}: at least one access key id and secret access key is required.";
        foreach (var credential in Credentials)
        {
            if (!AccessKeyIdPattern().IsMatch(credential.AccessKeyId))
                return $"The access key id '{credential.AccessKeyId}' must be 20 to 30 characters A-Z and 2-7, as KMS requires.";
            if (!SecretPattern().IsMatch(credential.SecretAccessKey))
                return $"The secret access key of '{credential.AccessKeyId}' must be 43 to 64 characters a-z, A-Z, 0-9, '+', '/' and '=' (e.g. openssl rand -base64 32).";
        }

        if (Credentials.DistinctBy(c => c.AccessKeyId).Count() != Credentials.Count) return "Each access key id must name one secret access key.";
        if (CreateKeys.Find(k => !ExternalKeyIdPattern().IsMatch(k)) is { } bad)
            return $"The key label '{bad}' is not a valid external key id: 1 to 128 characters a-z, A-Z, 0-9, '-', '.' and '_'.";
        if ((TlsCertificatePath is null) != (TlsKeyPath is null)) return "HTTPS needs both a certificate and its key.";
        return AllowedClockSkew > TimeSpan.Zero ? null : $"{nameof(AllowedClockSkew)} must be positive.";
    }

    /// <summary>The characters an external key id may have (spec: letters, digits, '-', '.', '_'; at most 128).</summary>
    [GeneratedRegex("^[A-Za-z0-9._-]{1,128}$")]
    public static partial Regex ExternalKeyIdPattern();

    [GeneratedRegex("^/[A-Za-z0-9/_-]*$")]
    private static partial Regex UriPathPattern();

    [GeneratedRegex("^[A-Z2-7]{20,30}$")]
    private static partial Regex AccessKeyIdPattern();

    [GeneratedRegex("^[A-Za-z0-9+/=]{43,64}$")]
    private static partial Regex SecretPattern();
}
