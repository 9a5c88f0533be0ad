namespace OrleansKms.Crypto.Keys;

/// <summary>Material a caller chose for a key (a seed's fixed key), checked as AWS checks imported material.</summary>
public static class GivenKeyMaterial
{
    /// <summary>
    /// Null if <paramref name="material"/> fits <paramref name="keySpec"/>, else what is wrong: 32 bytes for
    /// SYMMETRIC_DEFAULT; for HMAC keys from the spec's key size to its hash's block size; for asymmetric specs a
    /// PKCS#8 private key of exactly that spec.
    /// </summary>
    public static string? Problem(string keySpec, ReadOnlySpan<byte> material)
    {
        if (keySpec == KmsNames.SymmetricDefault)
        {
            return material.Length == SymmetricKeyVersion.MaterialSize
                ? null
                : $"key material of a SYMMETRIC_DEFAULT key is {SymmetricKeyVersion.MaterialSize} bytes, not {material.Length}.";
        }

        if (keySpec.StartsWith("HMAC_", StringComparison.Ordinal))
        {
            var (min, max) = HmacKeys.ImportableSize(keySpec);
            return material.Length >= min && material.Length <= max ? null : $"key material of an {keySpec} key is {min} to {max} bytes, not {material.Length}.";
        }

        try
        {
            using var _ = AsymmetricKey.Load(keySpec, material);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"key material of an {keySpec} key is a PKCS#8 private key of that spec: {e.Message}";
        }
    }
}
