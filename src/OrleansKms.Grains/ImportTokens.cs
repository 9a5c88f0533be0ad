using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using OrleansKms.Crypto;

namespace OrleansKms.Grains;

/// <summary>
/// Import tokens: self-contained, unforgeable (HMAC-SHA256 under <see cref="IServiceSecrets.KeyFor"/>("import-tokens")
/// over the key ARN and the token), bound to one key and one wrapping key pair. The wrapping private key travels in
/// the token wrapped under the region's root key (bound to the key ARN and the token id), never in clear and never
/// stored by the service.
/// <code>
/// offset  size  field
///      0     1  format version, 0x01
///      1     8  expiry, Unix milliseconds, big-endian
///      9     1  wrapping algorithm length a, then a bytes (ASCII)
///   10+a     1  wrapping key spec length s, then s bytes (ASCII)
///      …    16  token id
///      …     n  wrapping private key (PKCS#8), wrapped by the root key with material id "import-token/&lt;token id hex&gt;"
///    end-32 32  HMAC-SHA256(key ARN UTF-8 ‖ 0x0A ‖ every byte before it)
/// </code>
/// </summary>
internal static class ImportTokens
{
    public const string SecretPurpose = "import-tokens";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);
    private const byte Version1 = 0x01;
    private const int TokenIdSize = 16;
    private const int MacSize = 32;

    /// <summary>What a verified token holds.</summary>
    public sealed record Contents(DateTimeOffset ExpiresAt, string WrappingAlgorithm, string WrappingKeySpec, WrappedKeyMaterial WrappedPrivateKey);

    public static byte[] Issue(byte[] macKey, KeyArn arn, DateTimeOffset expiresAt, string algorithm, string keySpec, SecretBytes privateKey, IKeyMaterialProtector protector)
    {
        var tokenId = RandomNumberGenerator.GetBytes(TokenIdSize);
        var wrapped = protector.Wrap(privateKey, arn, WrappedKeyId(tokenId));
        using var body = new MemoryStream();
        body.WriteByte(Version1);
        Span<byte> expiry = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(expiry, expiresAt.ToUnixTimeMilliseconds());
        body.Write(expiry);
        WriteShort(body, algorithm);
        WriteShort(body, keySpec);
        body.Write(tokenId);
        body.Write(wrapped);
        var unsigned = body.ToArray();
        return [.. unsigned, .. Mac(macKey, arn, unsigned)];
    }

    /// <summary>The token's contents, or null if it was not issued by this region for <paramref name="arn"/> (or was altered).</summary>
    public static Contents? Verify(byte[] macKey, KeyArn arn, ReadOnlySpan<byte> token)
    {
        if (token.Length < 1 + 8 + 2 + TokenIdSize + MacSize || token[0] != Version1) return null;
        var unsigned = token[..^MacSize];
        if (!CryptographicOperations.FixedTimeEquals(Mac(macKey, arn, unsigned), token[^MacSize..])) return null;
        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(unsigned[1..9]));
        var rest = unsigned[9..];
        var algorithm = ReadShort(ref rest);
        var keySpec = ReadShort(ref rest);
        if (algorithm is null || keySpec is null || rest.Length <= TokenIdSize) return null;
        var id = WrappedKeyId(rest[..TokenIdSize]);
        return new Contents(expiresAt, algorithm, keySpec, new WrappedKeyMaterial(id, rest[TokenIdSize..].ToArray(), expiresAt));
    }

    private static string WrappedKeyId(ReadOnlySpan<byte> tokenId) => "import-token/" + Convert.ToHexStringLower(tokenId);

    private static byte[] Mac(byte[] macKey, KeyArn arn, ReadOnlySpan<byte> unsigned)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, macKey);
        hmac.AppendData(Encoding.UTF8.GetBytes(arn.Value + "\n"));
        hmac.AppendData(unsigned);
        return hmac.GetHashAndReset();
    }

    private static void WriteShort(Stream s, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        s.WriteByte((byte)bytes.Length);
        s.Write(bytes);
    }

    private static string? ReadShort(ref ReadOnlySpan<byte> rest)
    {
        if (rest.Length < 1 || rest.Length < 1 + rest[0]) return null;
        var value = Encoding.ASCII.GetString(rest.Slice(1, rest[0]));
        rest = rest[(1 + rest[0])..];
        return value;
    }
}
