using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using OrleansKms.Crypto;

namespace OrleansKms.Grains;

/// <summary>
/// <see cref="IServiceSecrets"/> from the region's root key: HKDF-SHA256 with the purpose as info, so each token
/// kind has its own key, every silo and gateway of the region derives the same, and none is ever stored.
/// </summary>
public sealed class DerivedServiceSecrets(SecretBytes rootKey) : IServiceSecrets
{
    private static readonly byte[] Salt = Encoding.UTF8.GetBytes("orleans-kms service secrets v1");
    private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public byte[] KeyFor(string purpose) =>
        _keys.GetOrAdd(purpose, p =>
        {
            var key = new byte[32];
            HKDF.DeriveKey(HashAlgorithmName.SHA256, rootKey.Expose(), key, Salt, Encoding.UTF8.GetBytes(p));
            return key;
        });
}
