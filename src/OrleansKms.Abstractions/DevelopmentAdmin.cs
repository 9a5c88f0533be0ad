namespace OrleansKms;

/// <summary>
/// The development surface (<c>--dev-admin</c>, <c>--seed</c>): empty a region, or create keys with fixed ids and
/// chosen material. A silo service (not a grain), so chosen material is wrapped under the root key in the process
/// that read it and never crosses a grain call in clear. Never on by default.
/// </summary>
public interface IKmsDevelopmentAdmin
{
    /// <summary>Deletes every key, alias and grant of <paramref name="accounts"/> in <paramref name="region"/>, and their catalogs.</summary>
    Task<ResetResult> ResetAsync(IReadOnlyCollection<string> accounts, string region);

    /// <summary>Creates the key unless a key of that id exists (then leaves it as it is); ensures its aliases exist.</summary>
    Task<SeedResult> SeedKeyAsync(SeededKey key);
}

/// <summary>What a reset deleted.</summary>
[GenerateSerializer, Immutable]
public sealed record ResetResult([property: Id(0)] int KeysDeleted, [property: Id(1)] int AliasesDeleted);

/// <summary>One key of a seed, checked: its ARN, what CreateKey would ask, the chosen material (null: new material).</summary>
public sealed record SeededKey(
    KeyArn Arn,
    CreateKeyCommand Command,
    byte[]? Material,
    bool Enabled,
    int? RotationPeriodInDays,
    IReadOnlyList<string> Aliases);

/// <summary>What seeding one key did: whether it created it, and the aliases it created.</summary>
public sealed record SeedResult(bool Created, IReadOnlyList<string> AliasesCreated, IReadOnlyList<string> AliasesElsewhere);
