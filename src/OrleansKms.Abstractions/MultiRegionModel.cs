namespace OrleansKms;

/// <summary>Wire values of multi-Region keys.</summary>
public static class MultiRegionValues
{
    public const string Primary = "PRIMARY";
    public const string Replica = "REPLICA";
}

/// <summary>A multi-Region key's place among its related keys (DescribeKey's MultiRegionConfiguration).</summary>
[GenerateSerializer, Immutable]
public sealed record MultiRegionConfiguration(
    [property: Id(0)] string MultiRegionKeyType,
    [property: Id(1)] string PrimaryArn,
    [property: Id(2)] string PrimaryRegion,
    [property: Id(3)] IReadOnlyList<string> ReplicaArns,
    [property: Id(4)] IReadOnlyList<string> ReplicaRegions);

/// <summary>What ReplicateKey asks: the Region of the new replica and its own (independent) properties.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplicateKeyCommand
{
    [Id(0)] public required KmsCaller Caller { get; init; }
    [Id(1)] public required string ReplicaRegion { get; init; }
    [Id(2)] public string? Policy { get; init; }
    [Id(3)] public bool BypassPolicyLockoutSafetyCheck { get; init; }
    [Id(4)] public string Description { get; init; } = "";
    [Id(5)] public IReadOnlyList<KeyTag> Tags { get; init; } = [];
}

/// <summary>ReplicateKey's answer: the replica (in state Creating until its material arrives), its policy and tags.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplicatedKey(
    [property: Id(0)] KeyMetadata ReplicaKeyMetadata,
    [property: Id(1)] string ReplicaPolicy,
    [property: Id(2)] IReadOnlyList<KeyTag> ReplicaTags);

/// <summary>The independent properties a new replica starts with (ReplicateKey's parameters).</summary>
[GenerateSerializer, Immutable]
public sealed record ReplicaCreation(
    [property: Id(0)] string? Policy,
    [property: Id(1)] string Description,
    [property: Id(2)] IReadOnlyList<KeyTag> Tags);

/// <summary>One material version on its way between Regions, sealed under the Region link's key for its destination.</summary>
[GenerateSerializer, Immutable]
public sealed record SealedKeyMaterial(
    [property: Id(0)] string KeyMaterialId,
    [property: Id(1)] byte[] Sealed,
    [property: Id(2)] DateTimeOffset CreatedAt);

/// <summary>
/// The shared properties of a multi-Region key as its primary holds them at <see cref="SharedVersion"/>, sent to one
/// replica Region (creating the replica on first delivery). A replica applies an update only if it is newer than
/// what it has: delivery is idempotent and a late, older update changes nothing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ReplicaUpdate
{
    [Id(0)] public required string KeyId { get; init; }
    [Id(1)] public required string AccountId { get; init; }
    [Id(2)] public required string SourceRegion { get; init; }
    [Id(3)] public required string TargetRegion { get; init; }
    [Id(4)] public required long SharedVersion { get; init; }
    [Id(5)] public required string PrimaryRegion { get; init; }
    [Id(6)] public required IReadOnlyList<string> ReplicaRegions { get; init; }
    [Id(7)] public required string KeySpec { get; init; }
    [Id(8)] public required string KeyUsage { get; init; }
    [Id(9)] public required string Origin { get; init; }
    [Id(10)] public required IReadOnlyList<SealedKeyMaterial> Materials { get; init; }
    [Id(11)] public string? CurrentKeyMaterialId { get; init; }
    [Id(12)] public bool RotationEnabled { get; init; }
    [Id(13)] public int? RotationPeriodInDays { get; init; }
    [Id(14)] public DateTimeOffset? NextRotationDate { get; init; }
    [Id(15)] public IReadOnlyList<KeyRotation> Rotations { get; init; } = [];

    /// <summary>The replica's own properties, while the replica may not exist yet.</summary>
    [Id(16)] public ReplicaCreation? Creation { get; init; }

    /// <summary>When the primary made this version (for the replication lag the drill reports).</summary>
    [Id(17)] public DateTimeOffset SentAt { get; init; }
}

public partial interface IKeyGrain
{
    /// <summary>ReplicateKey, on a multi-Region primary key: the replica is created in its Region through the outbox.</summary>
    Task<ReplicatedKey> ReplicateAsync(ReplicateKeyCommand command);

    /// <summary>UpdatePrimaryRegion, on the primary key: the replica in <paramref name="primaryRegion"/> becomes the primary.</summary>
    Task UpdatePrimaryRegionAsync(KmsCaller caller, string primaryRegion);

    /// <summary>
    /// A Region link delivers the primary's shared properties to this replica key (creating it on first delivery);
    /// answers once they are stored.
    /// </summary>
    Task ApplyReplicaUpdateAsync(ReplicaUpdate update);

    /// <summary>The replica of this primary key in <paramref name="region"/> was deleted.</summary>
    Task ReplicaDeletedAsync(string region);
}
