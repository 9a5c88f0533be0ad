namespace OrleansKms.Cli;

/// <summary>
/// Where a command calls the service and as whom: <c>--endpoint-url</c> (or <c>--endpoint</c>), <c>--region</c>, <c>--access-key</c>,
/// <c>--secret-key</c>, defaulting as the AWS CLI does to AWS_ENDPOINT_URL, AWS_REGION / AWS_DEFAULT_REGION,
/// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, then to a local service and the development identity (test/test).
/// </summary>
internal sealed class ServiceConnection
{
    /// <summary>The options' lines for a command's usage.</summary>
    public const string Help = """
          --endpoint-url URL      the service (default $AWS_ENDPOINT_URL, else http://127.0.0.1:4566)
          --endpoint URL          the same as --endpoint-url
          --region NAME           signing region (default $AWS_REGION / $AWS_DEFAULT_REGION, else us-east-1)
          --access-key KEY        access key id (default $AWS_ACCESS_KEY_ID, else test)
          --secret-key SECRET     secret access key (default $AWS_SECRET_ACCESS_KEY, else test)
        """;

    private string _endpoint = Env("AWS_ENDPOINT_URL", "http://127.0.0.1:4566");

    // Named in the error when the endpoint is not a URL: the option given, or the environment variable.
    private string _endpointSource = "AWS_ENDPOINT_URL";

    public string Region { get; private set; } = Env("AWS_REGION", Env("AWS_DEFAULT_REGION", "us-east-1"));

    public string AccessKey { get; private set; } = Env("AWS_ACCESS_KEY_ID", "test");

    public string SecretKey { get; private set; } = Env("AWS_SECRET_ACCESS_KEY", "test");

    /// <summary>The endpoint, once <see cref="TryValidate"/> has accepted it.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Whether <paramref name="name"/> is one of the connection options (each takes a value).</summary>
    public static bool IsOption(string name) => name is "--endpoint-url" or "--endpoint" or "--region" or "--access-key" or "--secret-key";

    /// <summary>Sets the option <paramref name="name"/> (one <see cref="IsOption"/> accepts).</summary>
    public void Set(string name, string value)
    {
        switch (name)
        {
            case "--endpoint-url" or "--endpoint": (_endpoint, _endpointSource) = (value, name); break;
            case "--region": Region = value; break;
            case "--access-key": AccessKey = value; break;
            case "--secret-key": SecretKey = value; break;
            default: throw new ArgumentException($"{name} is not a connection option.", nameof(name));
        }
    }

    /// <summary>Checks the endpoint is an http(s) URL; the error says what is wrong.</summary>
    public bool TryValidate(out string? error)
    {
        error = null;
        if (Uri.TryCreate(_endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            Endpoint = uri;
            return true;
        }

        error = $"{_endpointSource} {_endpoint} is not an http(s) URL.";
        return false;
    }

    private static string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : fallback;
}
