using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>Encrypt, Decrypt and ReEncrypt as the AWS SDK for .NET sees them: results and the errors AWS gives.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class CryptoSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task Two_encryptions_of_the_same_plaintext_differ_and_both_decrypt()
    {
        var key = await _kms.NewKeyAsync();
        byte[] plaintext = [1, 2, 3, 4];

        var first = await _kms.EncryptAsync(key.KeyId, plaintext);
        var second = await _kms.EncryptAsync(key.KeyId, plaintext);

        Assert.NotEqual(first, second);
        Assert.Equal(plaintext, await _kms.DecryptAsync(first));
        Assert.Equal(plaintext, await _kms.DecryptAsync(second));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public async Task Encrypt_takes_1_to_4096_bytes_by_key_arn_and_Decrypt_returns_them_with_the_key_material_id(int length)
    {
        var key = await _kms.NewKeyAsync();
        var plaintext = RandomNumberGenerator.GetBytes(length);

        var encrypted = await _kms.EncryptAsync(new EncryptRequest { KeyId = key.Arn, Plaintext = new MemoryStream(plaintext) });
        var decrypted = await _kms.DecryptAsync(new DecryptRequest { CiphertextBlob = encrypted.CiphertextBlob, KeyId = key.Arn });

        Assert.Equal(key.Arn, encrypted.KeyId);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, encrypted.EncryptionAlgorithm);
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        Assert.Equal(key.Arn, decrypted.KeyId);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, decrypted.EncryptionAlgorithm);
        Assert.Equal(key.CurrentKeyMaterialId, decrypted.KeyMaterialId);
    }

    [Fact]
    public async Task Encrypt_of_4097_bytes_is_the_AWS_ValidationException()
    {
        var key = await _kms.NewKeyAsync();

        await Sdk.ThrowsValidation(
            () => _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(new byte[4097]) }),
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
    }

    [Fact]
    public async Task Encrypt_of_an_empty_plaintext_is_the_AWS_ValidationException()
    {
        var key = await _kms.NewKeyAsync();

        await Sdk.ThrowsValidation(
            () => _kms.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream() }),
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }

    [Fact]
    public async Task Decrypt_with_the_KeyId_of_another_key_is_IncorrectKeyException()
    {
        var key = await _kms.NewKeyAsync();
        var other = await _kms.NewKeyAsync();
        var ciphertext = await _kms.EncryptAsync(key.KeyId, [9, 9]);

        await Sdk.Throws<IncorrectKeyException>(
            () => _kms.DecryptAsync(ciphertext, other.KeyId),
            "The key ID in the request does not identify a CMK that can perform this operation.");
    }

    [Fact]
    public async Task Decrypt_of_bytes_that_are_no_ciphertext_is_InvalidCiphertextException()
    {
        await Sdk.Throws<InvalidCiphertextException>(() => _kms.DecryptAsync(RandomNumberGenerator.GetBytes(100)));
    }

    [Fact]
    public async Task Decrypt_without_the_encryption_context_of_the_encryption_is_InvalidCiphertextException()
    {
        var key = await _kms.NewKeyAsync();
        var ciphertext = await _kms.EncryptAsync(key.KeyId, [1], new Dictionary<string, string> { ["tenant"] = "a" });

        await Sdk.Throws<InvalidCiphertextException>(() => _kms.DecryptAsync(ciphertext));
    }

    public static TheoryData<string, string, string, string> LookAlikeContexts => new()
    {
        { "a", "b=c", "a=b", "c" },
        { "tenant", "a", "Tenant", "a" },
        { "k", "v", "k", "v " },
        { "k", "", "k ", "" },
    };

    [Theory]
    [MemberData(nameof(LookAlikeContexts))]
    public async Task Decrypt_with_a_look_alike_encryption_context_is_InvalidCiphertextException(string key, string value, string otherKey, string otherValue)
    {
        var kmsKey = await _kms.NewKeyAsync();
        var ciphertext = await _kms.EncryptAsync(kmsKey.KeyId, [1, 2], new Dictionary<string, string> { [key] = value });

        await Sdk.Throws<InvalidCiphertextException>(
            () => _kms.DecryptAsync(ciphertext, context: new Dictionary<string, string> { [otherKey] = otherValue }));
        Assert.Equal([1, 2], await _kms.DecryptAsync(ciphertext, context: new Dictionary<string, string> { [key] = value }));
    }

    [Fact]
    public async Task ReEncrypt_to_another_key_returns_both_keys_and_the_result_decrypts_under_the_destination_only()
    {
        var source = await _kms.NewKeyAsync();
        var destination = await _kms.NewKeyAsync();
        byte[] plaintext = [7, 7, 7];
        var ciphertext = await _kms.EncryptAsync(source.KeyId, plaintext, new Dictionary<string, string> { ["from"] = "source" });

        var re = await _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(ciphertext),
            SourceEncryptionContext = new Dictionary<string, string> { ["from"] = "source" },
            DestinationKeyId = destination.Arn,
            DestinationEncryptionContext = new Dictionary<string, string> { ["to"] = "destination" },
        });

        Assert.Equal(source.Arn, re.SourceKeyId);
        Assert.Equal(destination.Arn, re.KeyId);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, re.SourceEncryptionAlgorithm);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, re.DestinationEncryptionAlgorithm);
        Assert.Equal(source.CurrentKeyMaterialId, re.SourceKeyMaterialId);
        Assert.Equal(destination.CurrentKeyMaterialId, re.DestinationKeyMaterialId);
        var blob = re.CiphertextBlob.ToArray();
        var decrypted = await _kms.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = new MemoryStream(blob),
            EncryptionContext = new Dictionary<string, string> { ["to"] = "destination" },
        });
        Assert.Equal(plaintext, decrypted.Plaintext.ToArray());
        Assert.Equal(destination.Arn, decrypted.KeyId);
        await Sdk.Throws<IncorrectKeyException>(() => _kms.DecryptAsync(blob, source.KeyId, new Dictionary<string, string> { ["to"] = "destination" }));
    }

    [Fact]
    public async Task ReEncrypt_with_a_SourceKeyId_that_did_not_encrypt_the_blob_is_IncorrectKeyException()
    {
        var key = await _kms.NewKeyAsync();
        var other = await _kms.NewKeyAsync();
        var ciphertext = await _kms.EncryptAsync(key.KeyId, [1]);

        await Sdk.Throws<IncorrectKeyException>(
            () => _kms.ReEncryptAsync(new ReEncryptRequest
            {
                CiphertextBlob = new MemoryStream(ciphertext),
                SourceKeyId = other.KeyId,
                DestinationKeyId = other.KeyId,
            }),
            "The key ID in the request does not identify a CMK that can perform this operation.");
    }

    [Fact]
    public async Task ReEncrypt_of_bytes_that_are_no_ciphertext_is_InvalidCiphertextException()
    {
        var key = await _kms.NewKeyAsync();

        await Sdk.Throws<InvalidCiphertextException>(() => _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(RandomNumberGenerator.GetBytes(90)),
            DestinationKeyId = key.KeyId,
        }));
    }

    [Fact]
    public async Task An_asymmetric_EncryptionAlgorithm_on_a_symmetric_key_is_InvalidKeyUsageException()
    {
        var key = await _kms.NewKeyAsync();

        await Sdk.Throws<InvalidKeyUsageException>(() => _kms.EncryptAsync(new EncryptRequest
        {
            KeyId = key.KeyId,
            Plaintext = new MemoryStream([1]),
            EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256,
        }), "Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.");
    }
}
