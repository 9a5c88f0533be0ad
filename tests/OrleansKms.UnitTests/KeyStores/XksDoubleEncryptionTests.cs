using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Crypto;
using OrleansKms.KeyStores.Xks;

namespace OrleansKms.UnitTests.KeyStores;

/// <summary>Double encryption through the fake proxy: the round trip, the layout, and every kind of tampering.</summary>
public sealed class XksDoubleEncryptionTests : IDisposable
{
    private static readonly byte[] Aad = "key-arn|purpose=unit"u8.ToArray();
    private readonly XksFakeProxy _proxy = new(new FakeTimeProvider(XksFakeProxy.Start));
    private readonly XksProxyClient _client;
    private readonly SecretBytes _ownKey = SecretBytes.Random(32);

    public XksDoubleEncryptionTests() => _client = new XksProxyClient(new HttpClient(_proxy), new FakeTimeProvider(XksFakeProxy.Start));

    public void Dispose() => _ownKey.Dispose();

    private Task<byte[]> Encrypt(byte[] plaintext) =>
        XksDoubleEncryption.EncryptAsync(_ownKey, plaintext, Aad, _client, XksFakeProxy.Connection(), XksFakeProxy.KeyId,
            XksFakeProxy.Metadata("Encrypt"), TestContext.Current.CancellationToken);

    private Task<byte[]> Decrypt(byte[] blob, byte[]? aad = null, SecretBytes? ownKey = null) =>
        XksDoubleEncryption.DecryptAsync(ownKey ?? _ownKey, blob, aad ?? Aad, _client, XksFakeProxy.Connection(), XksFakeProxy.KeyId,
            XksFakeProxy.Metadata("Decrypt"), TestContext.Current.CancellationToken);

    private int DecryptCalls => _proxy.Received.Count(r => r.Operation.EndsWith("/decrypt", StringComparison.Ordinal));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4096)]
    public async Task Round_trip_returns_the_plaintext_and_the_blob_has_the_documented_size(int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);

        var blob = await Encrypt(plaintext);

        Assert.Equal(1 + 1 + 12 + 1 + 16 + (length + XksDoubleEncryption.InnerOverhead) + 32, blob.Length);
        Assert.Equal(XksDoubleEncryption.Version1, blob[0]);
        Assert.Equal(plaintext, await Decrypt(blob));
    }

    [Fact]
    public async Task The_proxys_metadata_and_long_iv_travel_in_the_blob()
    {
        _proxy.CiphertextMetadata = "key_version=7"u8.ToArray();
        _proxy.IvLength = 16;
        var plaintext = RandomNumberGenerator.GetBytes(64);

        var blob = await Encrypt(plaintext);

        Assert.Equal(16, blob[1]);
        Assert.Equal(13, blob[2 + 16]);
        Assert.Equal(1 + 1 + 16 + 1 + 13 + 16 + (64 + XksDoubleEncryption.InnerOverhead) + 32, blob.Length);
        Assert.Equal(plaintext, await Decrypt(blob));
        Assert.Equal(Convert.ToBase64String(_proxy.CiphertextMetadata), (string?)_proxy.Received[^1].Body["ciphertextMetadata"]);
    }

    [Fact]
    public async Task The_proxy_sees_only_the_inner_ciphertext_and_a_digest_of_the_aad()
    {
        var plaintext = RandomNumberGenerator.GetBytes(48);

        await Encrypt(plaintext);

        var sent = _proxy.Received.Single().Body;
        var toProxy = Convert.FromBase64String((string)sent["plaintext"]!);
        Assert.Equal(48 + XksDoubleEncryption.InnerOverhead, toProxy.Length);
        Assert.Equal(-1, toProxy.AsSpan().IndexOf(plaintext.AsSpan(0, 16)));
        Assert.Equal(32, Convert.FromBase64String((string)sent["additionalAuthenticatedData"]!).Length);
    }

    [Fact]
    public async Task Two_encryptions_of_the_same_plaintext_differ()
    {
        var plaintext = RandomNumberGenerator.GetBytes(32);

        Assert.NotEqual(await Encrypt(plaintext), await Encrypt(plaintext));
    }

    [Fact]
    public async Task Every_flipped_byte_is_an_invalid_ciphertext_found_before_calling_the_proxy()
    {
        var blob = await Encrypt(RandomNumberGenerator.GetBytes(20));

        for (var i = 0; i < blob.Length; i++)
        {
            var tampered = blob.ToArray();
            tampered[i] ^= 0x01;
            var e = await Assert.ThrowsAsync<KmsException>(() => Decrypt(tampered));
            Assert.Equal(KmsErrorCode.InvalidCiphertextException, e.Code);
        }

        Assert.Equal(0, DecryptCalls);
    }

    [Fact]
    public async Task Every_truncation_and_an_extension_are_invalid_ciphertexts()
    {
        var blob = await Encrypt(RandomNumberGenerator.GetBytes(20));

        for (var length = 0; length < blob.Length; length++)
        {
            var e = await Assert.ThrowsAsync<KmsException>(() => Decrypt(blob[..length]));
            Assert.Equal(KmsErrorCode.InvalidCiphertextException, e.Code);
        }

        var longer = await Assert.ThrowsAsync<KmsException>(() => Decrypt([.. blob, 0]));
        Assert.Equal(KmsErrorCode.InvalidCiphertextException, longer.Code);
        Assert.Equal(0, DecryptCalls);
    }

    [Fact]
    public async Task Another_aad_or_another_own_key_is_an_invalid_ciphertext()
    {
        var blob = await Encrypt(RandomNumberGenerator.GetBytes(20));
        using var otherKey = SecretBytes.Random(32);

        var aad = await Assert.ThrowsAsync<KmsException>(() => Decrypt(blob, aad: "key-arn|purpose=other"u8.ToArray()));
        var key = await Assert.ThrowsAsync<KmsException>(() => Decrypt(blob, ownKey: otherKey));

        Assert.Equal(KmsErrorCode.InvalidCiphertextException, aad.Code);
        Assert.Equal(KmsErrorCode.InvalidCiphertextException, key.Code);
        Assert.Equal(0, DecryptCalls);
    }

    [Fact]
    public async Task A_replaced_external_key_is_reported_as_the_proxy_rejecting_the_ciphertext()
    {
        var blob = await Encrypt(RandomNumberGenerator.GetBytes(20));
        _proxy.Keys[XksFakeProxy.KeyId] = RandomNumberGenerator.GetBytes(32);

        var e = await Assert.ThrowsAsync<KmsException>(() => Decrypt(blob));

        Assert.Equal(KmsErrorCode.KMSInvalidStateException, e.Code);
        Assert.StartsWith("The external key store proxy rejected the request because the specified ciphertext", e.Message);
    }

    [Fact]
    public async Task A_proxy_that_returns_other_bytes_of_the_right_length_is_caught_by_the_inner_layer()
    {
        var blob = await Encrypt(RandomNumberGenerator.GetBytes(20));
        _proxy.Tamper = (_, answer) =>
        {
            var plaintext = Convert.FromBase64String((string)answer["plaintext"]!);
            plaintext[^1] ^= 0x80;
            answer["plaintext"] = Convert.ToBase64String(plaintext);
        };

        var e = await Assert.ThrowsAsync<KmsException>(() => Decrypt(blob));

        Assert.Equal(KmsErrorCode.KMSInvalidStateException, e.Code);
        Assert.StartsWith("The ciphertext that the external key store proxy submitted for decryption", e.Message);
    }

    [Fact]
    public async Task A_proxy_failure_during_encrypt_is_the_operations_error()
    {
        _proxy.Intercept = _ => XksFakeProxy.Answer(HttpStatusCode.BadRequest, XksFakeProxy.Error("InvalidStateException"));

        var e = await Assert.ThrowsAsync<KmsException>(() => Encrypt([1, 2, 3]));

        Assert.Equal(KmsErrorCode.KMSInvalidStateException, e.Code);
        Assert.Contains("is not enabled in the external key manager", e.Message);
    }

    [Fact]
    public async Task An_own_key_that_is_not_32_bytes_is_refused()
    {
        using var shortKey = SecretBytes.Random(16);

        await Assert.ThrowsAsync<ArgumentException>(() => XksDoubleEncryption.EncryptAsync(shortKey, [1], Aad, _client,
            XksFakeProxy.Connection(), XksFakeProxy.KeyId, XksFakeProxy.Metadata("Encrypt"), TestContext.Current.CancellationToken));
    }
}
