using Amazon.KeyManagementService;
using OrleansKms.IntegrationTests.Infrastructure;
using Kms = Amazon.KeyManagementService.Model;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>DryRun and the error cases of the asymmetric operations, as an SDK user meets them.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class AsymmetricErrorSdkTests(KmsServerFixture fixture)
{
    private const string DryRunMessage = "The request would have succeeded, but the DryRun option is set.";
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    private async Task<string> CreateAsync(string spec, string usage) =>
        (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest { KeySpec = spec, KeyUsage = usage })).KeyMetadata.KeyId;

    [Fact]
    public async Task DryRun_of_each_asymmetric_operation_answers_DryRunOperationException()
    {
        var signing = await CreateAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var mac = await CreateAsync("HMAC_384", "GENERATE_VERIFY_MAC");
        var agreement = await CreateAsync("ECC_NIST_P256", "KEY_AGREEMENT");
        var symmetric = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest())).KeyMetadata.KeyId;
        var peer = (await _kms.GetPublicKeyAsync(new Kms.GetPublicKeyRequest { KeyId = agreement })).PublicKey.ToArray();

        var calls = new Func<Task>[]
        {
            () => _kms.SignAsync(new Kms.SignRequest { KeyId = signing, Message = new MemoryStream([1]), SigningAlgorithm = "ECDSA_SHA_256", DryRun = true }),
            () => _kms.GenerateMacAsync(new Kms.GenerateMacRequest { KeyId = mac, Message = new MemoryStream([1]), MacAlgorithm = "HMAC_SHA_384", DryRun = true }),
            () => _kms.DeriveSharedSecretAsync(new Kms.DeriveSharedSecretRequest { KeyId = agreement, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(peer), DryRun = true }),
            () => _kms.GenerateDataKeyPairAsync(new Kms.GenerateDataKeyPairRequest { KeyId = symmetric, KeyPairSpec = "RSA_2048", DryRun = true }),
            () => _kms.GenerateDataKeyPairWithoutPlaintextAsync(new Kms.GenerateDataKeyPairWithoutPlaintextRequest { KeyId = symmetric, KeyPairSpec = "ECC_NIST_P384", DryRun = true }),
        };
        foreach (var call in calls)
        {
            var e = await Assert.ThrowsAsync<Kms.DryRunOperationException>(call);
            Assert.Equal(DryRunMessage, e.Message);
        }
    }

    [Fact]
    public async Task Asymmetric_ciphertext_without_its_KeyId_is_InvalidCiphertextException()
    {
        var rsa = await CreateAsync("RSA_2048", "ENCRYPT_DECRYPT");
        var blob = (await _kms.EncryptAsync(new Kms.EncryptRequest { KeyId = rsa, Plaintext = new MemoryStream([1]), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" })).CiphertextBlob;
        await Assert.ThrowsAsync<Kms.InvalidCiphertextException>(() => _kms.DecryptAsync(new Kms.DecryptRequest { CiphertextBlob = blob }));
        var tampered = blob.ToArray();
        tampered[5] ^= 1;
        await Assert.ThrowsAsync<Kms.InvalidCiphertextException>(() => _kms.DecryptAsync(new Kms.DecryptRequest
        {
            KeyId = rsa, CiphertextBlob = new MemoryStream(tampered), EncryptionAlgorithm = "RSAES_OAEP_SHA_256",
        }));
    }

    [Fact]
    public async Task Keys_of_the_wrong_usage_or_spec_are_InvalidKeyUsageException()
    {
        var symmetric = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest())).KeyMetadata;
        var sign = await Assert.ThrowsAsync<Kms.InvalidKeyUsageException>(() =>
            _kms.SignAsync(new Kms.SignRequest { KeyId = symmetric.KeyId, Message = new MemoryStream([1]), SigningAlgorithm = "ECDSA_SHA_256" }));
        Assert.Equal($"{symmetric.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Sign.", sign.Message);
        var macKey = await CreateAsync("HMAC_256", "GENERATE_VERIFY_MAC");
        await Assert.ThrowsAsync<Kms.InvalidKeyUsageException>(() =>
            _kms.DeriveSharedSecretAsync(new Kms.DeriveSharedSecretRequest { KeyId = macKey, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream([1]) }));
        var rsa = await CreateAsync("RSA_2048", "ENCRYPT_DECRYPT");
        await Assert.ThrowsAsync<Kms.InvalidKeyUsageException>(() =>
            _kms.GenerateDataKeyAsync(new Kms.GenerateDataKeyRequest { KeyId = rsa, KeySpec = "AES_256" }));
        var wrongCurve = await CreateAsync("ECC_NIST_P384", "SIGN_VERIFY");
        var e = await Assert.ThrowsAsync<Kms.InvalidKeyUsageException>(() =>
            _kms.SignAsync(new Kms.SignRequest { KeyId = wrongCurve, Message = new MemoryStream([1]), SigningAlgorithm = "ECDSA_SHA_256" }));
        Assert.Equal("Algorithm ECDSA_SHA_256 is incompatible with key spec ECC_NIST_P384.", e.Message);
    }

    [Fact]
    public async Task A_peer_key_that_is_not_a_public_key_of_the_curve_is_a_ValidationException()
    {
        var agreement = await CreateAsync("ECC_NIST_P256", "KEY_AGREEMENT");
        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.DeriveSharedSecretAsync(new Kms.DeriveSharedSecretRequest { KeyId = agreement, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream([1, 2, 3]) }));
        Assert.Equal("ValidationException", e.ErrorCode);
    }

    [Fact]
    public async Task Sm2_data_key_pairs_are_refused_outside_the_China_regions()
    {
        var symmetric = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest())).KeyMetadata.KeyId;
        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.GenerateDataKeyPairAsync(new Kms.GenerateDataKeyPairRequest { KeyId = symmetric, KeyPairSpec = "SM2" }));
        Assert.Equal("ValidationException", e.ErrorCode);
    }
}
