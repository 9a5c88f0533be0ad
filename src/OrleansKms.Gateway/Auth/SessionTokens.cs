using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace OrleansKms.Gateway.Auth;

/// <summary>
/// STS session credentials, stateless: the session token is the session itself (access key id, secret, role ARN,
/// session name, expiry), AES-256-GCM-sealed under a key derived from the region's root key, so every gateway of the
/// region accepts it, across restarts, and nobody can forge, read or alter one.
/// <para>Token layout (base64url): <c>"OKS1"</c>, 12-byte nonce, sealed UTF-8 JSON, 16-byte tag.</para>
/// </summary>
public sealed class SessionTokens(byte[] key, TimeProvider time)
{
    /// <summary>The <see cref="IServiceSecrets"/> purpose of the key that seals session tokens.</summary>
    public const string Purpose = "sts-sessions";

    private const string Magic = "OKS1";
    private const int NonceSize = 12;
    private const int TagSize = 16;

    /// <summary>The claims of a session: what its token says.</summary>
    public sealed record Session(string AccessKeyId, string SecretAccessKey, string RoleArn, string SessionName, DateTimeOffset Expiration);

    /// <summary>New credentials for a session of <paramref name="roleArn"/> lasting <paramref name="duration"/>, and its token.</summary>
    public (Session Session, string Token) Issue(string roleArn, string sessionName, TimeSpan duration)
    {
        var session = new Session(
            "ASIA" + KmsIdentity.UniqueId("", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)))[..16],
            Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)),
            roleArn,
            sessionName,
            DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().Add(duration).ToUnixTimeSeconds()));
        var plaintext = JsonSerializer.SerializeToUtf8Bytes(new Claims(session.AccessKeyId, session.SecretAccessKey, roleArn, sessionName, session.Expiration.ToUnixTimeSeconds()), SessionJsonContext.Default.Claims);
        var sealedToken = new byte[Magic.Length + NonceSize + plaintext.Length + TagSize];
        Encoding.ASCII.GetBytes(Magic, sealedToken);
        var nonce = sealedToken.AsSpan(Magic.Length, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var gcm = new AesGcm(key, TagSize))
        {
            gcm.Encrypt(nonce, plaintext, sealedToken.AsSpan(Magic.Length + NonceSize, plaintext.Length), sealedToken.AsSpan(^TagSize), Encoding.ASCII.GetBytes(Magic));
        }

        CryptographicOperations.ZeroMemory(plaintext);
        return (session, Base64Url.EncodeToString(sealedToken));
    }

    /// <summary>Whether <paramref name="session"/>'s credentials have expired, on this service's clock.</summary>
    public bool HasExpired(Session session) => session.Expiration <= time.GetUtcNow();

    /// <summary>The session a token seals, or null if it is not a token of this service (forged, altered, foreign).</summary>
    public Session? Open(string token)
    {
        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(token);
        }
        catch (FormatException)
        {
            return null;
        }

        if (bytes.Length < Magic.Length + NonceSize + TagSize + 2 || Encoding.ASCII.GetString(bytes, 0, Magic.Length) != Magic) return null;
        var plaintext = new byte[bytes.Length - Magic.Length - NonceSize - TagSize];
        try
        {
            using var gcm = new AesGcm(key, TagSize);
            gcm.Decrypt(bytes.AsSpan(Magic.Length, NonceSize), bytes.AsSpan(Magic.Length + NonceSize, plaintext.Length), bytes.AsSpan(^TagSize), plaintext, Encoding.ASCII.GetBytes(Magic));
            var claims = JsonSerializer.Deserialize(plaintext, SessionJsonContext.Default.Claims);
            return claims is null ? null : new Session(claims.Ak, claims.Sk, claims.Role, claims.Name, DateTimeOffset.FromUnixTimeSeconds(claims.Exp));
        }
        catch (Exception e) when (e is AuthenticationTagMismatchException or JsonException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    internal sealed record Claims(string Ak, string Sk, string Role, string Name, long Exp);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(SessionTokens.Claims))]
internal sealed partial class SessionJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
