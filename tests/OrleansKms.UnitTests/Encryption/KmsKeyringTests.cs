using System.Security.Cryptography;
using OrleansKms.Encryption;

namespace OrleansKms.UnitTests.Encryption;

/// <summary>Several wrapping keys, multi-Region replicas, discovery, and a non-framed body written by another SDK.</summary>
public sealed class KmsKeyringTests
{
    private readonly FakeKms _kms = new();

    [Fact]
    public async Task Each_wrapping_key_gets_its_own_encrypted_data_key_and_alone_decrypts_the_message()
    {
        var keys = Enumerable.Range(0, 5).Select(_ => _kms.CreateKey()).ToArray();
        var client = new EnvelopeEncryptionClient(_kms.Keyring(keys));
        var plaintext = RandomNumberGenerator.GetBytes(5000);

        var message = await client.EncryptAsync(plaintext, null, TestContext.Current.CancellationToken);
        var decrypted = new List<byte[]>();
        foreach (var key in keys)
            decrypted.Add((await new EnvelopeEncryptionClient(_kms.Keyring(key)).DecryptAsync(message, null, TestContext.Current.CancellationToken)).Plaintext);
        var header = (await client.DecryptAsync(message, null, TestContext.Current.CancellationToken)).Header;

        Assert.Equal(1, _kms.GenerateCalls);
        Assert.Equal(4, _kms.EncryptCalls);
        Assert.Equal(keys, header.EncryptedDataKeys.Select(k => k.ProviderInfoText));
        Assert.All(header.EncryptedDataKeys, k => Assert.Equal("aws-kms", k.ProviderId));
        Assert.All(decrypted, d => Assert.Equal(plaintext, d));
    }

    [Fact]
    public async Task A_multi_Region_replica_in_another_Region_decrypts_and_is_called_in_its_own_Region()
    {
        var primary = _kms.CreateKey("us-east-1", multiRegion: true);
        var replica = _kms.Replicate(primary, "eu-west-1");
        var message = await new EnvelopeEncryptionClient(_kms.Keyring(primary)).EncryptAsync(new byte[100], null, TestContext.Current.CancellationToken);

        var strict = await new EnvelopeEncryptionClient(_kms.Keyring(replica)).DecryptAsync(message, null, TestContext.Current.CancellationToken);
        var discovery = await new EnvelopeEncryptionClient(new KmsKeyring(new KmsKeyringOptions
        {
            Client = _kms.Client("eu-west-1"),
            ClientForRegion = _kms.Client,
            DiscoveryRegion = "eu-west-1",
        })).DecryptAsync(message, null, TestContext.Current.CancellationToken);

        Assert.Equal(100, strict.Plaintext.Length);
        Assert.Equal(100, discovery.Plaintext.Length);
        Assert.Equal(2, _kms.DecryptCallsByRegion["eu-west-1"]);
        Assert.False(_kms.DecryptCallsByRegion.ContainsKey("us-east-1"));
    }

    [Fact]
    public async Task A_single_Region_key_with_the_same_id_in_another_Region_does_not_match()
    {
        var key = _kms.CreateKey("us-east-1");
        var elsewhere = key.Replace("us-east-1", "eu-west-1", StringComparison.Ordinal);
        var message = await new EnvelopeEncryptionClient(_kms.Keyring(key)).EncryptAsync(new byte[1], null, TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<NoDecryptableDataKeyException>(() =>
            new EnvelopeEncryptionClient(_kms.Keyring(elsewhere)).DecryptAsync(message, null, TestContext.Current.CancellationToken));

        Assert.Equal(0, _kms.DecryptCalls);
    }

    [Fact]
    public async Task The_KMS_error_of_the_only_candidate_is_kept_in_the_message_and_as_inner_exception()
    {
        var key = _kms.CreateKey();
        var message = await new EnvelopeEncryptionClient(_kms.Keyring(key)).EncryptAsync(new byte[1], null, TestContext.Current.CancellationToken);
        var bodyless = new KmsKeyring(new KmsKeyringOptions { Client = _kms.Client(), KeyIds = [key] });
        // Change the encrypted data key's ciphertext (the last byte before the content type, frame length, commitment, tag).
        var header = (await new EnvelopeEncryptionClient(bodyless).DecryptAsync(message, null, TestContext.Current.CancellationToken)).Header;
        var edk = header.EncryptedDataKeys[0].Ciphertext;
        var at = message.AsSpan().IndexOf(edk) + edk.Length - 1;
        message[at] ^= 1;

        var error = await Assert.ThrowsAsync<NoDecryptableDataKeyException>(() =>
            new EnvelopeEncryptionClient(bodyless).DecryptAsync(message, null, TestContext.Current.CancellationToken));

        Assert.StartsWith("No KMS key could decrypt the message's data key (InvalidCiphertextException", error.Message);
        Assert.IsType<Amazon.KeyManagementService.Model.InvalidCiphertextException>(error.InnerException);
    }

    [Fact]
    public async Task Encryption_needs_a_key_and_a_missing_key_is_the_KMS_error()
    {
        var none = new EnvelopeEncryptionClient(new KmsKeyring(new KmsKeyringOptions { Client = _kms.Client() }));
        var missing = new EnvelopeEncryptionClient(_kms.Keyring("arn:aws:kms:us-east-1:111122223333:key/missing"));

        var noKey = await Assert.ThrowsAsync<EnvelopeException>(() => none.EncryptAsync(new byte[1], null, TestContext.Current.CancellationToken));
        await Assert.ThrowsAsync<Amazon.KeyManagementService.Model.NotFoundException>(() =>
            missing.EncryptAsync(new byte[1], null, TestContext.Current.CancellationToken));

        Assert.Equal("Encryption needs at least one KMS key (the keyring has none).", noKey.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(100_000)]
    public async Task A_non_framed_body_decrypts_and_a_changed_one_does_not(int size)
    {
        var key = _kms.CreateKey();
        var client = new EnvelopeEncryptionClient(_kms.Keyring(key));
        var plaintext = RandomNumberGenerator.GetBytes(size);

        var message = await NonFramed.EncryptAsync(_kms.Keyring(key), plaintext);
        var decrypted = await client.DecryptAsync(message, null, TestContext.Current.CancellationToken);
        message[^1] ^= 1; // the body's tag

        Assert.Equal(plaintext, decrypted.Plaintext);
        Assert.Equal(0, decrypted.Header.FrameLength);
        var error = await Assert.ThrowsAsync<MessageTamperedException>(() => client.DecryptAsync(message, null, TestContext.Current.CancellationToken));
        Assert.Equal("The body's authentication tag does not verify: the message was changed.", error.Message);
    }
}
