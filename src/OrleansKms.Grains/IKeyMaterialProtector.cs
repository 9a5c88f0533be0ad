using OrleansKms.Crypto;

namespace OrleansKms.Grains;

/// <summary>
/// Wraps and unwraps key material under this region's root key. The one place key material crosses between
/// clear (in memory only) and stored form.
/// </summary>
public interface IKeyMaterialProtector
{
    byte[] Wrap(SecretBytes material, KeyArn keyArn, string keyMaterialId);

    SecretBytes Unwrap(WrappedKeyMaterial wrapped, KeyArn keyArn);
}

/// <summary>The protector over a <see cref="RootKeyWrapper"/>.</summary>
public sealed class RootKeyMaterialProtector(RootKeyWrapper wrapper) : IKeyMaterialProtector
{
    public byte[] Wrap(SecretBytes material, KeyArn keyArn, string keyMaterialId) =>
        wrapper.Wrap(material, keyArn.Value, keyMaterialId);

    public SecretBytes Unwrap(WrappedKeyMaterial wrapped, KeyArn keyArn) =>
        wrapper.Unwrap(wrapped.Wrapped, keyArn.Value, wrapped.KeyMaterialId);
}
