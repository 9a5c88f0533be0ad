namespace OrleansKms.Cli;

/// <summary>
/// One profile of the AWS shared files as the AWS CLI reads them: the credentials file (<c>[NAME]</c> sections;
/// <c>$AWS_SHARED_CREDENTIALS_FILE</c>, else <c>~/.aws/credentials</c>) and the config file (<c>[default]</c>,
/// <c>[profile NAME]</c> and <c>[services NAME]</c> sections; <c>$AWS_CONFIG_FILE</c>, else <c>~/.aws/config</c>).
/// A key in the credentials file wins over the same key in the config file.
/// </summary>
internal sealed class AwsProfile
{
    private readonly Dictionary<string, string> _values;
    private readonly Dictionary<string, string> _kmsService;

    private AwsProfile(string name, Dictionary<string, string> values, Dictionary<string, string> kmsService)
    {
        Name = name;
        _values = values;
        _kmsService = kmsService;
    }

    public string Name { get; }

    public static string CredentialsPath => Environment.GetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE") is { Length: > 0 } p ? p : Path.Combine(Home, ".aws", "credentials");

    public static string ConfigPath => Environment.GetEnvironmentVariable("AWS_CONFIG_FILE") is { Length: > 0 } p ? p : Path.Combine(Home, ".aws", "config");

    private static string Home => Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    public string? this[string key] => _values.GetValueOrDefault(key) is { Length: > 0 } v ? v : null;

    /// <summary>The KMS endpoint of the profile's <c>services</c> section (<c>kms =</c> then an indented <c>endpoint_url = URL</c>).</summary>
    public string? KmsEndpointUrl => _kmsService.GetValueOrDefault("endpoint_url") is { Length: > 0 } v ? v : null;

    /// <summary>The profile, or null if neither file has it.</summary>
    public static AwsProfile? Load(string name)
    {
        var credentials = IniFile.Read(CredentialsPath);
        var config = IniFile.Read(ConfigPath);
        var fromCredentials = credentials.GetValueOrDefault(name);
        var fromConfig = config.GetValueOrDefault(name == "default" ? "default" : "profile " + name)
            ?? (name == "default" ? config.GetValueOrDefault("profile default") : null);
        if (fromCredentials is null && fromConfig is null) return null;
        var values = new Dictionary<string, string>(fromConfig?.Values ?? [], StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in fromCredentials?.Values ?? []) values[k] = v;
        var kms = values.TryGetValue("services", out var services) && config.GetValueOrDefault("services " + services) is { } section
            ? section.Nested.GetValueOrDefault("kms") ?? []
            : [];
        return new AwsProfile(name, values, kms);
    }
}

/// <summary>The INI dialect of the AWS shared files: <c>[section]</c>, <c>key = value</c>, <c>#</c>/<c>;</c> comments,
/// and a <c>key =</c> line with an empty value opening indented <c>sub_key = value</c> lines.</summary>
internal static class IniFile
{
    public sealed record Section(Dictionary<string, string> Values, Dictionary<string, Dictionary<string, string>> Nested);

    public static Dictionary<string, Section> Read(string path)
    {
        var sections = new Dictionary<string, Section>(StringComparer.Ordinal);
        if (!File.Exists(path)) return sections;
        Section? current = null;
        Dictionary<string, string>? nested = null;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';') continue;
            if (line[0] == '[' && line[^1] == ']')
            {
                var name = string.Join(' ', line[1..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
                current = sections.TryGetValue(name, out var existing) ? existing : sections[name] = new Section(new(StringComparer.OrdinalIgnoreCase), new(StringComparer.OrdinalIgnoreCase));
                nested = null;
                continue;
            }

            var equals = line.IndexOf('=');
            if (current is null || equals <= 0) continue;
            var (key, value) = (line[..equals].Trim(), line[(equals + 1)..].Trim());
            if (char.IsWhiteSpace(raw[0]) && nested is not null) nested[key] = value;
            else if (value.Length == 0) current.Nested[key] = nested = new(StringComparer.OrdinalIgnoreCase);
            else (current.Values[key], nested) = (value, null);
        }

        return sections;
    }
}
