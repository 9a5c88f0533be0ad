using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansKms.Gateway.Auth;

/// <summary>One caller's credentials and who they are.</summary>
public sealed record KmsIdentity(string AccessKeyId, string SecretAccessKey, string AccountId, string PrincipalArn)
{
    /// <summary>The development identity: access key <c>test</c>, secret <c>test</c>, account 000000000000's root.</summary>
    public static KmsIdentity Development { get; } = new("test", "test", "000000000000", "arn:aws:iam::000000000000:root");

    public override string ToString() => $"{AccessKeyId} ({PrincipalArn})";
}

/// <summary>The identities the gateway accepts, looked up by access key id.</summary>
public sealed class IdentityStore
{
    private readonly Dictionary<string, KmsIdentity> _byAccessKey;

    public IdentityStore(IEnumerable<KmsIdentity> identities)
    {
        _byAccessKey = new(StringComparer.Ordinal);
        foreach (var identity in identities) _byAccessKey[identity.AccessKeyId] = identity;
    }

    public bool TryGet(string accessKeyId, out KmsIdentity identity) => _byAccessKey.TryGetValue(accessKeyId, out identity!);

    public IReadOnlyCollection<KmsIdentity> All => _byAccessKey.Values;

    /// <summary>
    /// Reads an identities file: <c>{"identities": [{"accessKeyId": "...", "secretAccessKey": "...",
    /// "accountId": "111122223333", "principalArn": "arn:aws:iam::111122223333:user/alice"}]}</c>.
    /// </summary>
    public static IdentityStore Load(string path)
    {
        using var stream = File.OpenRead(path);
        var file = JsonSerializer.Deserialize(stream, IdentitiesJsonContext.Default.IdentitiesFile)
            ?? throw new InvalidDataException($"{path}: empty identities file.");
        var identities = new List<KmsIdentity>();
        foreach (var e in file.Identities ?? [])
        {
            if (string.IsNullOrEmpty(e.AccessKeyId) || string.IsNullOrEmpty(e.SecretAccessKey) || e.AccountId is not { Length: 12 } account || !account.All(char.IsAsciiDigit))
                throw new InvalidDataException($"{path}: every identity needs accessKeyId, secretAccessKey and a 12-digit accountId.");
            identities.Add(new KmsIdentity(e.AccessKeyId, e.SecretAccessKey, account, e.PrincipalArn ?? $"arn:aws:iam::{account}:root"));
        }

        if (identities.Count == 0) throw new InvalidDataException($"{path}: no identities.");
        return new IdentityStore(identities);
    }
}

internal sealed class IdentitiesFile
{
    public List<IdentityEntry>? Identities { get; init; }
}

internal sealed class IdentityEntry
{
    public string? AccessKeyId { get; init; }
    public string? SecretAccessKey { get; init; }
    public string? AccountId { get; init; }
    public string? PrincipalArn { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(IdentitiesFile))]
internal sealed partial class IdentitiesJsonContext : JsonSerializerContext;
