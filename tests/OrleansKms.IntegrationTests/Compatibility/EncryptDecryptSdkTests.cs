using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>Encrypt and Decrypt as the official AWS SDK for .NET drives them over HTTP.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class EncryptDecryptSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task Encrypt_then_decrypt_without_key_id_returns_the_plaintext_and_the_key_arn()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Description = "round trip" })).KeyMetadata;
        var plaintext = Encoding.UTF8.GetBytes("attack at dawn");

        var encrypted = await _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(plaintext) });
        var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob });

        Assert.Equal(key.Arn, encrypted.KeyId);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, encrypted.EncryptionAlgorithm);
        Assert.Equal(key.Arn, decrypted.KeyId);
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task Decrypt_with_a_different_encryption_context_is_InvalidCiphertextException()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        var encrypted = await _kms.EncryptAsync(new EncryptRequest
        {
            KeyId = key.Arn,
            Plaintext = new MemoryStream([1, 2, 3]),
            EncryptionContext = new Dictionary<string, string> { ["purpose"] = "test", ["tenant"] = "a" },
        });

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => _kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = encrypted.CiphertextBlob,
            EncryptionContext = new Dictionary<string, string> { ["purpose"] = "test", ["tenant"] = "b" },
        }));
        var ok = await _kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(encrypted.CiphertextBlob.ToArray()),
            EncryptionContext = new Dictionary<string, string> { ["tenant"] = "a", ["purpose"] = "test" },
        });
        Assert.Equal([1, 2, 3], ok.Plaintext.ToArray());
    }
}
