using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>GenerateDataKey, GenerateDataKeyWithoutPlaintext and GenerateRandom as the AWS SDK for .NET sees them.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class DataKeySdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    public static TheoryData<string?, int?, int> Sizes => new()
    {
        { "AES_256", null, 32 },
        { "AES_128", null, 16 },
        { null, 1, 1 },
        { null, 1024, 1024 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task GenerateDataKey_plaintext_has_the_asked_size_and_equals_what_Decrypt_of_its_ciphertext_returns(string? keySpec, int? numberOfBytes, int expected)
    {
        var key = await _kms.NewKeyAsync();
        var context = new Dictionary<string, string> { ["object"] = "invoice-17" };

        var dataKey = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest
        {
            KeyId = key.KeyId,
            KeySpec = keySpec,
            NumberOfBytes = numberOfBytes,
            EncryptionContext = context,
        });

        Assert.Equal(key.Arn, dataKey.KeyId);
        Assert.Equal(key.CurrentKeyMaterialId, dataKey.KeyMaterialId);
        Assert.Equal(expected, dataKey.Plaintext.Length);
        Assert.Equal(dataKey.Plaintext.ToArray(), await _kms.DecryptAsync(dataKey.CiphertextBlob.ToArray(), context: context));
    }

    [Fact]
    public async Task Two_data_keys_of_one_key_differ()
    {
        var key = await _kms.NewKeyAsync();

        var first = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.Arn, KeySpec = DataKeySpec.AES_256 });
        var second = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.Arn, KeySpec = DataKeySpec.AES_256 });

        Assert.NotEqual(first.Plaintext.ToArray(), second.Plaintext.ToArray());
        Assert.NotEqual(first.CiphertextBlob.ToArray(), second.CiphertextBlob.ToArray());
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task GenerateDataKeyWithoutPlaintext_ciphertext_decrypts_to_a_key_of_the_asked_size(string? keySpec, int? numberOfBytes, int expected)
    {
        var key = await _kms.NewKeyAsync();

        var dataKey = await _kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest
        {
            KeyId = key.Arn,
            KeySpec = keySpec,
            NumberOfBytes = numberOfBytes,
        });

        Assert.Equal(key.Arn, dataKey.KeyId);
        Assert.Equal(key.CurrentKeyMaterialId, dataKey.KeyMaterialId);
        Assert.Equal(expected, (await _kms.DecryptAsync(dataKey.CiphertextBlob.ToArray(), key.KeyId)).Length);
    }

    public static TheoryData<string?, int?> NeitherOrBoth => new() { { null, null }, { "AES_256", 32 } };

    [Theory]
    [MemberData(nameof(NeitherOrBoth))]
    public async Task GenerateDataKey_needs_exactly_one_of_KeySpec_and_NumberOfBytes(string? keySpec, int? numberOfBytes)
    {
        var key = await _kms.NewKeyAsync();

        await Sdk.ThrowsValidation(
            () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = keySpec, NumberOfBytes = numberOfBytes }),
            "Please specify either number of bytes or key spec.");
        await Sdk.ThrowsValidation(
            () => _kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = key.KeyId, KeySpec = keySpec, NumberOfBytes = numberOfBytes }),
            "Please specify either number of bytes or key spec.");
    }

    [Theory]
    [InlineData(0, "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1")]
    [InlineData(1025, "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024")]
    public async Task GenerateDataKey_NumberOfBytes_outside_1_to_1024_is_the_AWS_ValidationException(int numberOfBytes, string message)
    {
        var key = await _kms.NewKeyAsync();

        await Sdk.ThrowsValidation(
            () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, NumberOfBytes = numberOfBytes }), message);
    }

    [Fact]
    public async Task GenerateDataKey_with_an_unknown_KeySpec_is_the_AWS_ValidationException()
    {
        var key = await _kms.NewKeyAsync();

        await Sdk.ThrowsValidation(
            () => _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = "AES_257" }),
            "1 validation error detected: Value 'AES_257' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(1024)]
    public async Task GenerateRandom_returns_the_asked_number_of_bytes(int numberOfBytes)
    {
        var random = await _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = numberOfBytes });

        Assert.Equal(numberOfBytes, random.Plaintext.Length);
    }

    [Fact]
    public async Task Two_GenerateRandom_results_differ()
    {
        var first = await _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 32 });
        var second = await _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = 32 });

        Assert.NotEqual(first.Plaintext.ToArray(), second.Plaintext.ToArray());
    }

    [Theory]
    [InlineData(null, "NumberOfBytes is required.")]
    [InlineData(0, "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1")]
    [InlineData(1025, "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024")]
    public async Task GenerateRandom_without_1_to_1024_bytes_is_the_recorded_AWS_ValidationException(int? numberOfBytes, string message)
    {
        await Sdk.ThrowsValidation(() => _kms.GenerateRandomAsync(new GenerateRandomRequest { NumberOfBytes = numberOfBytes }), message);
    }
}
