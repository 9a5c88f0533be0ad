using Amazon.KeyManagementService;
using Amazon.Runtime;

namespace OrleansKms.Cli;

/// <summary>
/// Where a command calls the service and as whom, resolved as the AWS CLI resolves it. Each setting is taken from the
/// first of: its option; the environment; the profile (<c>--profile</c>, else <c>$AWS_PROFILE</c>, else
/// <c>default</c>, from the shared credentials and config files, <see cref="AwsProfile"/>); a local development default.
/// Endpoint: <c>--endpoint-url</c>/<c>--endpoint</c>, <c>$AWS_ENDPOINT_URL_KMS</c>, <c>$AWS_ENDPOINT_URL</c>, the profile's
/// services section for kms, the profile's <c>endpoint_url</c>, http://127.0.0.1:4566. Region: <c>--region</c>,
/// <c>$AWS_REGION</c>, <c>$AWS_DEFAULT_REGION</c>, the profile's <c>region</c>, us-east-1. Credentials:
/// <c>--access-key</c>/<c>--secret-key</c>, then <c>$AWS_ACCESS_KEY_ID</c>/<c>$AWS_SECRET_ACCESS_KEY</c>/<c>$AWS_SESSION_TOKEN</c>,
/// then the profile's (but a profile named with <c>--profile</c> comes before the environment, as in the AWS CLI),
/// then test/test.
/// </summary>
internal sealed class ServiceConnection
{
    public const string DefaultEndpoint = "http://127.0.0.1:4566";

    /// <summary>The options' lines for a command's usage.</summary>
    public const string Help = """
          --endpoint-url URL      the service (default $AWS_ENDPOINT_URL_KMS, $AWS_ENDPOINT_URL, the profile's
                                  endpoint_url, else http://127.0.0.1:4566)
          --endpoint URL          the same as --endpoint-url
          --region NAME           signing Region (default $AWS_REGION, $AWS_DEFAULT_REGION, the profile's region,
                                  else us-east-1)
          --profile NAME          a profile of ~/.aws/credentials and ~/.aws/config (default $AWS_PROFILE, else default)
          --access-key KEY        access key id (default $AWS_ACCESS_KEY_ID, the profile's, else test)
          --secret-key SECRET     secret access key (default $AWS_SECRET_ACCESS_KEY, the profile's, else test)
        """;

    private readonly Dictionary<string, string> _options = new(StringComparer.Ordinal);

    // Named in the error when the endpoint is not a URL: the option given, the environment variable or the profile.
    private string _endpointSource = "the default endpoint";
    private string _endpointFlag = "--endpoint-url";

    public string Region { get; private set; } = Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION") ?? "us-east-1";

    public string AccessKey { get; private set; } = Env("AWS_ACCESS_KEY_ID") ?? "test";

    public string SecretKey { get; private set; } = Env("AWS_SECRET_ACCESS_KEY") ?? "test";

    /// <summary>The session token that goes with the credentials (STS session credentials), or null.</summary>
    public string? SessionToken { get; private set; }

    /// <summary>The profile read, or null when no file has it.</summary>
    public string? ProfileName { get; private set; }

    /// <summary>The endpoint, once <see cref="TryValidate"/> has accepted it.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The Region given with <c>--region</c> on the command line; null when it comes from elsewhere.</summary>
    public string? GivenRegion => _options.GetValueOrDefault("--region");

    /// <summary>Whether <paramref name="name"/> is one of the connection options (each takes a value).</summary>
    public static bool IsOption(string name) => name is "--endpoint-url" or "--endpoint" or "--region" or "--access-key" or "--secret-key" or "--profile";

    /// <summary>Sets the option <paramref name="name"/> (one <see cref="IsOption"/> accepts).</summary>
    public void Set(string name, string value)
    {
        if (!IsOption(name)) throw new ArgumentException($"{name} is not a connection option.", nameof(name));
        _options[name == "--endpoint" ? "--endpoint-url" : name] = value;
        if (name is "--endpoint-url" or "--endpoint") _endpointFlag = name;
        if (name == "--region") Region = value;
        if (name == "--access-key") AccessKey = value;
        if (name == "--secret-key") SecretKey = value;
    }

    /// <summary>Resolves every setting and checks the endpoint is an http(s) URL; the error says what is wrong.</summary>
    public bool TryValidate(out string? error)
    {
        error = null;
        var explicitProfile = _options.GetValueOrDefault("--profile");
        var profileName = explicitProfile ?? Env("AWS_PROFILE");
        var profile = AwsProfile.Load(profileName ?? "default");
        if (profileName is not null && profile is null)
        {
            error = $"the profile '{profileName}' ({(explicitProfile is null ? "$AWS_PROFILE" : "--profile")}) is in neither {AwsProfile.CredentialsPath} nor {AwsProfile.ConfigPath}.";
            return false;
        }

        ProfileName = profile?.Name;
        var endpoint = Resolve(ref _endpointSource, (_endpointFlag, _options.GetValueOrDefault("--endpoint-url")),
            ("AWS_ENDPOINT_URL_KMS", Env("AWS_ENDPOINT_URL_KMS")), ("AWS_ENDPOINT_URL", Env("AWS_ENDPOINT_URL")),
            ($"the profile {profile?.Name}'s services section", profile?.KmsEndpointUrl), ($"the profile {profile?.Name}'s endpoint_url", profile?["endpoint_url"]),
            ("the default endpoint", DefaultEndpoint));
        Region = _options.GetValueOrDefault("--region") ?? Env("AWS_REGION") ?? Env("AWS_DEFAULT_REGION") ?? profile?["region"] ?? "us-east-1";
        if (!TryResolveCredentials(explicitProfile is not null, profile, out error)) return false;

        if (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            Endpoint = uri;
            return true;
        }

        error = $"{_endpointSource} {endpoint} is not an http(s) URL.";
        return false;
    }

    /// <summary>An AWS SDK client for the resolved endpoint, Region and credentials.</summary>
    public AmazonKeyManagementServiceClient CreateKmsClient() => new(Credentials, new AmazonKeyManagementServiceConfig
    {
        ServiceURL = Endpoint.ToString().TrimEnd('/'),
        AuthenticationRegion = Region,
        IgnoreConfiguredEndpointUrls = true,
        MaxErrorRetry = 2,
        Timeout = TimeSpan.FromSeconds(30),
    });

    public AWSCredentials Credentials => SessionToken is null ? new BasicAWSCredentials(AccessKey, SecretKey) : new SessionAWSCredentials(AccessKey, SecretKey, SessionToken);

    private bool TryResolveCredentials(bool profileFirst, AwsProfile? profile, out string? error)
    {
        error = null;
        (string Key, string Secret, string? Token)? fromEnv = Env("AWS_ACCESS_KEY_ID") is { } k && Env("AWS_SECRET_ACCESS_KEY") is { } s ? (k, s, Env("AWS_SESSION_TOKEN")) : null;
        (string Key, string Secret, string? Token)? fromProfile = null;
        if (profile?["aws_access_key_id"] is { } pk)
        {
            if (profile["aws_secret_access_key"] is not { } ps)
            {
                error = $"the profile '{profile.Name}' has aws_access_key_id but no aws_secret_access_key.";
                return false;
            }

            fromProfile = (pk, ps, profile["aws_session_token"]);
        }

        var chosen = (profileFirst ? fromProfile ?? fromEnv : fromEnv ?? fromProfile) ?? ("test", "test", null);
        AccessKey = _options.GetValueOrDefault("--access-key") ?? chosen.Key;
        SecretKey = _options.GetValueOrDefault("--secret-key") ?? chosen.Secret;
        SessionToken = _options.ContainsKey("--access-key") ? null : chosen.Token;
        return true;
    }

    private static string Resolve(ref string source, params (string Source, string? Value)[] candidates)
    {
        var (from, value) = candidates.First(c => c.Value is not null);
        source = from;
        return value!;
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;
}
