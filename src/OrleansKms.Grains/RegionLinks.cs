using System.Security.Cryptography;
using System.Text;
using OrleansKms.Crypto;

namespace OrleansKms.Grains;

/// <summary>
/// The way from one Region's cluster to the others, for multi-Region keys: it delivers a primary's shared properties
/// to a replica Region and tells a primary that a replica is gone. Key material crosses it sealed under a key derived
/// for the destination Region from the link secret, a secret of the service's Regions that no KMS caller holds (not
/// a root key, not a credential): <see cref="Seal"/> in the source Region's silo, <see cref="Open"/> in the
/// destination's, and each Region wraps what it stores under its own root key.
/// </summary>
public abstract class RegionLinks
{
    private readonly byte[] _secret;

    protected RegionLinks(SecretBytes linkSecret) => _secret = linkSecret.Expose().ToArray();

    /// <summary>Whether this cluster can reach <paramref name="region"/> at all (it is one of the service's Regions).</summary>
    public abstract bool Reaches(string region);

    /// <summary>Delivers an update to the replica key in its target Region; throws if that Region cannot be reached now.</summary>
    public abstract Task DeliverAsync(ReplicaUpdate update, CancellationToken cancel);

    /// <summary>Tells the primary key in <paramref name="primaryRegion"/> that its replica in <paramref name="replicaRegion"/> was deleted.</summary>
    public abstract Task ReplicaDeletedAsync(string primaryRegion, string accountId, string keyId, string replicaRegion, CancellationToken cancel);

    public SealedKeyMaterial Seal(SecretBytes material, string keyId, string keyMaterialId, DateTimeOffset createdAt, string targetRegion)
    {
        using var wrapper = WrapperFor(targetRegion);
        return new SealedKeyMaterial(keyMaterialId, wrapper.Wrap(material, Binding(keyId, targetRegion), keyMaterialId), createdAt);
    }

    /// <summary>Opens material sealed for this Region; throws <see cref="CryptographicException"/> if it was altered or sealed for another key or Region.</summary>
    public SecretBytes Open(SealedKeyMaterial sealedMaterial, string keyId, string targetRegion)
    {
        using var wrapper = WrapperFor(targetRegion);
        return wrapper.Unwrap(sealedMaterial.Sealed, Binding(keyId, targetRegion), sealedMaterial.KeyMaterialId);
    }

    /// <summary>
    /// The authentication of a link request between processes: HMAC-SHA256, under a key derived from the link secret,
    /// of its date, path and body's SHA-256 (hex).
    /// </summary>
    public string Authenticate(string date, string path, ReadOnlySpan<byte> body)
    {
        var key = HKDF.DeriveKey(HashAlgorithmName.SHA256, _secret, 32, info: "orleans-kms region link v1\nauthentication"u8.ToArray());
        var text = Encoding.UTF8.GetBytes($"{date}\n{path}\n{Convert.ToHexStringLower(SHA256.HashData(body))}");
        return Convert.ToHexStringLower(HMACSHA256.HashData(key, text));
    }

    /// <summary>Whether <paramref name="signature"/> is <see cref="Authenticate"/>'s, compared in constant time.</summary>
    public bool IsAuthentic(string date, string path, ReadOnlySpan<byte> body, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Authenticate(date, path, body)), Encoding.ASCII.GetBytes(signature));

    private RootKeyWrapper WrapperFor(string targetRegion) =>
        new(SecretBytes.TakeOwnership(HKDF.DeriveKey(HashAlgorithmName.SHA256, _secret, RootKeyWrapper.RootKeySize,
            info: Encoding.UTF8.GetBytes("orleans-kms region link v1\n" + targetRegion))));

    private static string Binding(string keyId, string targetRegion) => $"region-link\n{targetRegion}\n{keyId}";
}

/// <summary>The links of a cluster that serves one Region alone (an embedded silo): there is no other Region to reach.</summary>
internal sealed class NoRegionLinks() : RegionLinks(SecretBytes.Random(RootKeyWrapper.RootKeySize))
{
    public override bool Reaches(string region) => false;

    public override Task DeliverAsync(ReplicaUpdate update, CancellationToken cancel) =>
        throw new KmsException(KmsErrorCode.UnsupportedOperationException, $"This cluster serves one Region; it cannot reach {update.TargetRegion}.");

    public override Task ReplicaDeletedAsync(string primaryRegion, string accountId, string keyId, string replicaRegion, CancellationToken cancel) =>
        Task.CompletedTask;
}
