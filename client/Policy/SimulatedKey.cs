using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.Policy;

namespace OrleansKms.Cli.Policy;

/// <summary>
/// What a simulation knows of the key: its ARN, its policy, the facts the service puts in every key request's
/// condition keys (kms:KeySpec, kms:KeyUsage, kms:KeyOrigin, kms:MultiRegion, aws:ResourceTag/*) and, when the
/// key was named by an alias, kms:RequestAlias.
/// </summary>
internal sealed record SimulatedKey(KeyArn Arn, PolicyDocument Policy)
{
    /// <summary>The key id of a key that exists only in a simulation (--policy without --key-arn).</summary>
    public const string PlaceholderKeyId = "00000000-0000-0000-0000-000000000000";

    public string KeySpec { get; init; } = "SYMMETRIC_DEFAULT";

    public string KeyUsage { get; init; } = "ENCRYPT_DECRYPT";

    public string Origin { get; init; } = "AWS_KMS";

    public bool MultiRegion { get; init; }

    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>The alias the key was named by (alias/NAME), or null.</summary>
    public string? RequestAlias { get; init; }

    /// <summary>The placeholder key ARN in <paramref name="account"/> and <paramref name="region"/>.</summary>
    public static KeyArn Placeholder(string region, string account) => new(region, account, PlaceholderKeyId);

    /// <summary>
    /// Reads <paramref name="keyId"/> (key id, key ARN, alias or alias ARN) from the service: DescribeKey, then
    /// GetKeyPolicy and ListResourceTags of the key it names. Throws the SDK's exceptions, and
    /// <see cref="PolicyFormatException"/> if the service returns a policy this library refuses.
    /// </summary>
    public static async Task<SimulatedKey> ReadAsync(ServiceConnection connection, string keyId, CancellationToken cancel)
    {
        using var kms = new AmazonKeyManagementServiceClient(
            connection.Credentials,
            new AmazonKeyManagementServiceConfig
            {
                ServiceURL = connection.Endpoint.ToString().TrimEnd('/'),
                AuthenticationRegion = connection.Region,
                MaxErrorRetry = 0,
            });
        var metadata = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, cancel)).KeyMetadata;
        if (!KeyArn.TryParse(metadata.Arn, out var parsed) || parsed is not { } arn)
            throw new InvalidDataException($"DescribeKey answered '{metadata.Arn}', which is not a key ARN.");
        var policy = await kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = metadata.Arn, PolicyName = "default" }, cancel);
        return new SimulatedKey(arn, PolicyDocument.Parse(policy.Policy, PolicyKind.KeyPolicy))
        {
            KeySpec = metadata.KeySpec?.Value ?? "SYMMETRIC_DEFAULT",
            KeyUsage = metadata.KeyUsage?.Value ?? "ENCRYPT_DECRYPT",
            Origin = metadata.Origin?.Value ?? "AWS_KMS",
            MultiRegion = metadata.MultiRegion ?? false,
            Tags = await TagsAsync(kms, metadata.Arn, cancel),
            RequestAlias = AliasName(keyId),
        };
    }

    private static async Task<IReadOnlyDictionary<string, string>> TagsAsync(IAmazonKeyManagementService kms, string keyArn, CancellationToken cancel)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        string? marker = null;
        do
        {
            var page = await kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyArn, Marker = marker }, cancel);
            foreach (var t in page.Tags ?? []) tags[t.TagKey] = t.TagValue;
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);
        return tags;
    }

    /// <summary>kms:RequestAlias as the service sets it: "alias/NAME", from an alias name or an alias ARN.</summary>
    private static string? AliasName(string keyId)
    {
        if (keyId.StartsWith("alias/", StringComparison.Ordinal)) return keyId;
        var at = keyId.IndexOf(":alias/", StringComparison.Ordinal);
        return keyId.StartsWith("arn:", StringComparison.Ordinal) && at >= 0 ? keyId[(at + 1)..] : null;
    }
}
