namespace OrleansKms.Grains;

/// <summary>
/// The stored state of one key. Plain and versioned: ids are never reordered or reused, so stored keys stay
/// readable after upgrades. Key material is only ever here wrapped under the region's root key.
/// </summary>
[GenerateSerializer]
public sealed class StoredKey
{
    [Id(0)] public int SchemaVersion { get; set; } = 1;
    [Id(1)] public bool Exists { get; set; }
    [Id(2)] public string KeyId { get; set; } = "";
    [Id(3)] public string AccountId { get; set; } = "";
    [Id(4)] public string Region { get; set; } = "";
    [Id(5)] public string Description { get; set; } = "";
    [Id(6)] public string KeyUsage { get; set; } = KmsValues.EncryptDecrypt;
    [Id(7)] public string KeySpec { get; set; } = KmsValues.SymmetricDefault;
    [Id(8)] public string Origin { get; set; } = KmsValues.OriginAwsKms;
    [Id(9)] public KeyStateKind KeyState { get; set; }
    [Id(10)] public DateTimeOffset CreationDate { get; set; }
    [Id(11)] public DateTimeOffset? DeletionDate { get; set; }
    [Id(12)] public int? PendingDeletionWindowInDays { get; set; }
    [Id(13)] public string? Policy { get; set; }
    [Id(14)] public List<KeyTag> Tags { get; set; } = [];
    [Id(15)] public List<WrappedKeyMaterial> Materials { get; set; } = [];
    [Id(16)] public string? CurrentKeyMaterialId { get; set; }
    /// <summary>Grows with every change; the crypto caches keep the newest snapshot they have seen.</summary>
    [Id(17)] public long Version { get; set; }
    [Id(18)] public bool RotationEnabled { get; set; }
    [Id(19)] public int? RotationPeriodInDays { get; set; }
    [Id(20)] public DateTimeOffset? NextRotationDate { get; set; }
    [Id(21)] public List<KeyRotation> Rotations { get; set; } = [];
    [Id(22)] public int OnDemandRotations { get; set; }
    // Id 23 is reserved: grants were stored here briefly; they now have their own state, KeyGrantsState.
    /// <summary>CUSTOMER, or AWS for an AWS managed key (alias/aws/SERVICE).</summary>
    [Id(24)] public string KeyManager { get; set; } = KmsValues.KeyManagerCustomer;
    /// <summary>Imported material (origin EXTERNAL): KEY_MATERIAL_EXPIRES or KEY_MATERIAL_DOES_NOT_EXPIRE while material is imported.</summary>
    [Id(25)] public string? ExpirationModel { get; set; }
    /// <summary>When imported material expires (ExpirationModel KEY_MATERIAL_EXPIRES): the lifecycle reminder deletes it then.</summary>
    [Id(26)] public DateTimeOffset? ValidTo { get; set; }
    [Id(27)] public string? KeyMaterialDescription { get; set; }

    /// <summary>A multi-Region key (id <c>mrk-...</c>), primary or replica.</summary>
    [Id(28)] public bool MultiRegion { get; set; }

    /// <summary>The Region of the multi-Region key's primary, as this key last learned it.</summary>
    [Id(29)] public string? PrimaryRegion { get; set; }

    /// <summary>The Regions of the multi-Region key's replicas, as this key last learned it (the primary's list is the truth).</summary>
    [Id(30)] public List<string> ReplicaRegions { get; set; } = [];

    /// <summary>Grows with every change of the shared properties made at the primary; replicas keep the newest they got.</summary>
    [Id(31)] public long SharedVersion { get; set; }

    /// <summary>
    /// The primary's durable outbox: per replica Region, the shared version it has acknowledged, and (until the
    /// replica exists) its own properties. Delivery is retried until every entry is up to date.
    /// </summary>
    [Id(32)] public List<ReplicaDelivery> Outbox { get; set; } = [];

    /// <summary>
    /// Origin EXTERNAL: every key material ever imported into the key, in order of first import, whether it is
    /// imported now or deleted (expired) and waiting to be imported again. Empty for keys stored before this field,
    /// whose one material is described by <see cref="CurrentKeyMaterialId"/>, <see cref="ExpirationModel"/> and <see cref="ValidTo"/>.
    /// </summary>
    [Id(33)] public List<ImportedMaterial> ImportedMaterials { get; set; } = [];

    /// <summary>Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE: the custom key store the key's material lives in.</summary>
    [Id(34)] public KeyStoreBinding? KeyStore { get; set; }

    /// <summary>The key's custom key store is not connected: the key is Unavailable (its own state is kept for when it reconnects).</summary>
    [Id(35)] public bool KeyStoreDisconnected { get; set; }

    public StoredKey Clone()
    {
        var copy = (StoredKey)MemberwiseClone();
        copy.Tags = [.. Tags];
        copy.Materials = [.. Materials];
        copy.Rotations = [.. Rotations];
        copy.ReplicaRegions = [.. ReplicaRegions];
        copy.Outbox = [.. Outbox];
        copy.ImportedMaterials = [.. ImportedMaterials];
        return copy;
    }
}

/// <summary>
/// One key material of a key of origin EXTERNAL: whether it is in the key now (IMPORTED) or was deleted or expired
/// (PENDING_IMPORT), its expiration, description, and whether it waits for RotateKeyOnDemand (PENDING_ROTATION).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ImportedMaterial(
    [property: Id(0)] string KeyMaterialId,
    [property: Id(1)] bool Imported,
    [property: Id(2)] string? ExpirationModel,
    [property: Id(3)] DateTimeOffset? ValidTo,
    [property: Id(4)] string? Description,
    [property: Id(5)] bool PendingRotation);

/// <summary>One replica Region in a primary key's outbox.</summary>
[GenerateSerializer, Immutable]
public sealed record ReplicaDelivery(
    [property: Id(0)] string Region,
    [property: Id(1)] long AcknowledgedVersion,
    [property: Id(2)] ReplicaCreation? Creation);

/// <summary>The grants of one key, stored apart from the key so that they can never crowd out its material.</summary>
[GenerateSerializer]
public sealed class KeyGrantsState
{
    [Id(0)] public List<KeyGrant> Grants { get; set; } = [];

    /// <summary>The sequence number the next grant gets; ListGrants markers are sequence numbers.</summary>
    [Id(1)] public long NextSequence { get; set; } = 1;

    /// <summary>How many times the grants changed (created, retired, revoked): part of the key snapshot's version.</summary>
    [Id(2)] public long Changes { get; set; }
}

/// <summary>
/// The names of the aliases that point to a key (kms:ResourceAliases), kept by the alias grains in a row of their
/// own: alias grains update it while the key may be busy with a change that waits on them (a deletion removing its
/// aliases), so its writes interleave with the key's and must not touch the key's row.
/// </summary>
[GenerateSerializer]
public sealed class KeyAliasesState
{
    [Id(0)] public List<string> Names { get; set; } = [];

    /// <summary>Grows with every change; part of the snapshot's version.</summary>
    [Id(1)] public long Changes { get; set; }
}
