using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using OrleansKms.IntegrationTests.Infrastructure;
using Kms = Amazon.KeyManagementService.Model;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// Asymmetric, HMAC and key-agreement keys through the AWS SDK, checked against independent .NET implementations
/// built from the public key that GetPublicKey returns (never from anything the service keeps secret).
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class AsymmetricSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    private async Task<Kms.KeyMetadata> CreateAsync(string spec, string usage) =>
        (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest { KeySpec = spec, KeyUsage = usage })).KeyMetadata;

    private async Task<byte[]> PublicKeyAsync(string keyId) =>
        (await _kms.GetPublicKeyAsync(new Kms.GetPublicKeyRequest { KeyId = keyId })).PublicKey.ToArray();

    [Theory]
    [InlineData("ECC_NIST_P256", "ECDSA_SHA_256")]
    [InlineData("ECC_NIST_P384", "ECDSA_SHA_384")]
    [InlineData("ECC_NIST_P521", "ECDSA_SHA_512")]
    [InlineData("ECC_SECG_P256K1", "ECDSA_SHA_256")]
    public async Task Ecdsa_signatures_verify_with_the_public_key_outside_and_tampering_fails(string spec, string algorithm)
    {
        var key = await CreateAsync(spec, "SIGN_VERIFY");
        Assert.Equal([algorithm], key.SigningAlgorithms);
        var message = Encoding.UTF8.GetBytes("sign me");
        var signature = (await _kms.SignAsync(new Kms.SignRequest { KeyId = key.KeyId, Message = new MemoryStream(message), SigningAlgorithm = algorithm })).Signature.ToArray();

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(await PublicKeyAsync(key.KeyId), out _);
        var hash = algorithm switch { "ECDSA_SHA_384" => HashAlgorithmName.SHA384, "ECDSA_SHA_512" => HashAlgorithmName.SHA512, _ => HashAlgorithmName.SHA256 };
        Assert.True(ecdsa.VerifyData(message, signature, hash, DSASignatureFormat.Rfc3279DerSequence));

        var verified = await _kms.VerifyAsync(new Kms.VerifyRequest { KeyId = key.KeyId, Message = new MemoryStream(message), Signature = new MemoryStream(signature), SigningAlgorithm = algorithm });
        Assert.True(verified.SignatureValid);
        var tampered = (byte[])message.Clone();
        tampered[0] ^= 1;
        await Assert.ThrowsAsync<Kms.KMSInvalidSignatureException>(() => _kms.VerifyAsync(new Kms.VerifyRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(tampered), Signature = new MemoryStream(signature), SigningAlgorithm = algorithm,
        }));
    }

    [Theory]
    [InlineData("RSASSA_PSS_SHA_256")]
    [InlineData("RSASSA_PKCS1_V1_5_SHA_512")]
    public async Task Rsa_signatures_of_a_digest_verify_outside(string algorithm)
    {
        var key = await CreateAsync("RSA_2048", "SIGN_VERIFY");
        var hash = algorithm.EndsWith("512", StringComparison.Ordinal) ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
        var digest = hash == HashAlgorithmName.SHA512 ? SHA512.HashData("payload"u8) : SHA256.HashData("payload"u8);
        var signature = (await _kms.SignAsync(new Kms.SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(digest), MessageType = MessageType.DIGEST, SigningAlgorithm = algorithm,
        })).Signature.ToArray();

        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(await PublicKeyAsync(key.KeyId), out _);
        var padding = algorithm.Contains("PSS", StringComparison.Ordinal) ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
        Assert.True(rsa.VerifyHash(digest, signature, hash, padding));
    }

    [Fact]
    public async Task A_digest_of_the_wrong_length_is_a_ValidationException_with_AWS_wording()
    {
        var key = await CreateAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var error = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => _kms.SignAsync(new Kms.SignRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream(new byte[31]), MessageType = MessageType.DIGEST, SigningAlgorithm = "ECDSA_SHA_256",
        }));
        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.Equal("Digest is invalid length for algorithm ECDSA_SHA_256.", error.Message);
    }

    [Theory]
    [InlineData("RSAES_OAEP_SHA_1")]
    [InlineData("RSAES_OAEP_SHA_256")]
    public async Task Data_encrypted_outside_with_the_public_key_decrypts_inside_and_inside_encryption_decrypts(string algorithm)
    {
        var key = await CreateAsync("RSA_3072", "ENCRYPT_DECRYPT");
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(await PublicKeyAsync(key.KeyId), out _);
        var padding = algorithm == "RSAES_OAEP_SHA_1" ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;
        var outside = rsa.Encrypt("from outside"u8.ToArray(), padding);

        var decrypted = await _kms.DecryptAsync(new Kms.DecryptRequest { KeyId = key.KeyId, CiphertextBlob = new MemoryStream(outside), EncryptionAlgorithm = algorithm });
        Assert.Equal("from outside"u8.ToArray(), decrypted.Plaintext.ToArray());
        Assert.Equal(algorithm, decrypted.EncryptionAlgorithm.Value);

        var inside = await _kms.EncryptAsync(new Kms.EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream([1, 2, 3]), EncryptionAlgorithm = algorithm });
        var back = await _kms.DecryptAsync(new Kms.DecryptRequest { KeyId = key.KeyId, CiphertextBlob = inside.CiphertextBlob, EncryptionAlgorithm = algorithm });
        Assert.Equal([1, 2, 3], back.Plaintext.ToArray());
    }

    [Fact]
    public async Task Rsa_plaintext_limits_are_AWS_limits()
    {
        var key = await CreateAsync("RSA_2048", "ENCRYPT_DECRYPT");
        await _kms.EncryptAsync(new Kms.EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(new byte[190]), EncryptionAlgorithm = "RSAES_OAEP_SHA_256" });
        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => _kms.EncryptAsync(new Kms.EncryptRequest
        {
            KeyId = key.KeyId, Plaintext = new MemoryStream(new byte[191]), EncryptionAlgorithm = "RSAES_OAEP_SHA_256",
        }));
        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal("Algorithm RSAES_OAEP_SHA_256 and key spec RSA_2048 cannot encrypt data larger than 190 bytes.", e.Message);
    }

    [Fact]
    public async Task Ecdh_agrees_with_the_secret_computed_locally_from_the_other_side()
    {
        var key = await CreateAsync("ECC_NIST_P384", "KEY_AGREEMENT");
        using var mine = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        var secret = (await _kms.DeriveSharedSecretAsync(new Kms.DeriveSharedSecretRequest
        {
            KeyId = key.KeyId, KeyAgreementAlgorithm = "ECDH", PublicKey = new MemoryStream(mine.ExportSubjectPublicKeyInfo()),
        })).SharedSecret.ToArray();

        using var theirs = ECDiffieHellman.Create();
        theirs.ImportSubjectPublicKeyInfo(await PublicKeyAsync(key.KeyId), out _);
        Assert.Equal(mine.DeriveRawSecretAgreement(theirs.PublicKey), secret);
    }

    [Fact]
    public async Task Hmac_round_trip_and_a_tampered_mac_is_KMSInvalidMacException()
    {
        var key = await CreateAsync("HMAC_256", "GENERATE_VERIFY_MAC");
        Assert.Equal(["HMAC_SHA_256"], key.MacAlgorithms);
        var mac = (await _kms.GenerateMacAsync(new Kms.GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream([5]), MacAlgorithm = "HMAC_SHA_256" })).Mac.ToArray();
        Assert.Equal(32, mac.Length);
        Assert.True((await _kms.VerifyMacAsync(new Kms.VerifyMacRequest { KeyId = key.KeyId, Message = new MemoryStream([5]), Mac = new MemoryStream(mac), MacAlgorithm = "HMAC_SHA_256" })).MacValid);
        mac[0] ^= 1;
        await Assert.ThrowsAsync<Kms.KMSInvalidMacException>(() => _kms.VerifyMacAsync(new Kms.VerifyMacRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream([5]), Mac = new MemoryStream(mac), MacAlgorithm = "HMAC_SHA_256",
        }));
        var wrong = await Assert.ThrowsAsync<Kms.InvalidKeyUsageException>(() => _kms.GenerateMacAsync(new Kms.GenerateMacRequest
        {
            KeyId = key.KeyId, Message = new MemoryStream([5]), MacAlgorithm = "HMAC_SHA_512",
        }));
        Assert.Equal("Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.", wrong.Message);
    }

    [Fact]
    public async Task A_data_key_pairs_private_key_matches_its_public_key_and_decrypts_from_its_ciphertext()
    {
        var wrapping = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest())).KeyMetadata;
        var pair = await _kms.GenerateDataKeyPairAsync(new Kms.GenerateDataKeyPairRequest { KeyId = wrapping.KeyId, KeyPairSpec = "ECC_NIST_P256" });
        using var privateKey = ECDsa.Create();
        privateKey.ImportPkcs8PrivateKey(pair.PrivateKeyPlaintext.ToArray(), out _);
        using var publicKey = ECDsa.Create();
        publicKey.ImportSubjectPublicKeyInfo(pair.PublicKey.ToArray(), out _);
        Assert.True(publicKey.VerifyData("x"u8, privateKey.SignData("x"u8, HashAlgorithmName.SHA256), HashAlgorithmName.SHA256));

        var decrypted = await _kms.DecryptAsync(new Kms.DecryptRequest { CiphertextBlob = pair.PrivateKeyCiphertextBlob });
        Assert.Equal(pair.PrivateKeyPlaintext.ToArray(), decrypted.Plaintext.ToArray());
        var withoutPlaintext = await _kms.GenerateDataKeyPairWithoutPlaintextAsync(new Kms.GenerateDataKeyPairWithoutPlaintextRequest { KeyId = wrapping.KeyId, KeyPairSpec = "RSA_2048" });
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(withoutPlaintext.PublicKey.ToArray(), out _);
        Assert.Equal(2048, rsa.KeySize);
    }

    [Fact]
    public async Task Usage_errors_are_AWS_errors()
    {
        var signing = await CreateAsync("ECC_NIST_P256", "SIGN_VERIFY");
        var encrypt = await Assert.ThrowsAsync<Kms.InvalidKeyUsageException>(() => _kms.EncryptAsync(new Kms.EncryptRequest { KeyId = signing.KeyId, Plaintext = new MemoryStream([1]) }));
        Assert.Equal($"{signing.Arn} key usage is SIGN_VERIFY which is not valid for Encrypt.", encrypt.Message);
        var symmetric = (await _kms.CreateKeyAsync(new Kms.CreateKeyRequest())).KeyMetadata;
        await Assert.ThrowsAsync<Kms.UnsupportedOperationException>(() => _kms.GetPublicKeyAsync(new Kms.GetPublicKeyRequest { KeyId = symmetric.KeyId }));
        await Assert.ThrowsAsync<Kms.UnsupportedOperationException>(() => _kms.EnableKeyRotationAsync(new Kms.EnableKeyRotationRequest { KeyId = signing.KeyId }));
        var incompatible = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => CreateAsync("RSA_2048", "KEY_AGREEMENT"));
        Assert.Equal("ValidationException", incompatible.ErrorCode);
        Assert.Equal("KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048", incompatible.Message);
    }
}
