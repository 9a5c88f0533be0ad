using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// Imported key material (origin EXTERNAL) as the AWS SDK for .NET sees it: CreateKey, GetParametersForImport,
/// ImportKeyMaterial, DeleteImportedKeyMaterial, and the key used afterwards, checked outside the service with the
/// test's own copy of the material. Expiry on the KMS clock: <see cref="ImportClockSdkTests"/>; SM2 wrapping keys:
/// <see cref="ImportChinaRegionSdkTests"/>.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class ImportSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task GetParametersForImport_on_a_key_of_origin_AWS_KMS_is_UnsupportedOperationException_in_AWSs_words()
    {
        var key = await _kms.NewKeyAsync();

        await Sdk.Throws<UnsupportedOperationException>(() => _kms.ParametersAsync(key.KeyId),
            $"{key.Arn} origin is AWS_KMS which is not valid for this operation.");
    }

    [Fact]
    public async Task GetParametersForImport_on_a_key_that_does_not_exist_is_NotFoundException()
    {
        var arn = Sdk.ArnOf(Guid.NewGuid().ToString());

        await Sdk.Throws<NotFoundException>(() => _kms.ParametersAsync(arn), $"Key '{arn}' does not exist");
    }

    [Fact]
    public async Task GetParametersForImport_on_a_key_pending_deletion_is_KMSInvalidStateException()
    {
        var key = await _kms.NewExternalKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        await Sdk.Throws<KMSInvalidStateException>(() => _kms.ParametersAsync(key.KeyId), $"{key.Arn} is pending deletion.");
    }

    [Theory]
    [InlineData("SYMMETRIC_DEFAULT", null)]
    [InlineData("HMAC_256", "GENERATE_VERIFY_MAC")]
    [InlineData("RSA_2048", "SIGN_VERIFY")]
    [InlineData("ECC_NIST_P256", "SIGN_VERIFY")]
    [InlineData("ECC_SECG_P256K1", "SIGN_VERIFY")]
    public async Task CreateKey_with_Origin_EXTERNAL_makes_a_key_pending_import_without_material(string keySpec, string? keyUsage)
    {
        var created = await _kms.NewExternalKeyAsync(keySpec, keyUsage);
        var described = await _kms.DescribeAsync(created.KeyId);

        foreach (var m in new[] { created, described })
        {
            Assert.Equal(OriginType.EXTERNAL, m.Origin);
            Assert.Equal(KeyState.PendingImport, m.KeyState);
            Assert.False(m.Enabled);
            Assert.Null(m.CurrentKeyMaterialId);
            Assert.Null(m.ExpirationModel);
        }
    }

    [Fact]
    public async Task A_key_pending_import_refuses_cryptography_and_EnableKey_as_AWS_does()
    {
        var key = await _kms.NewExternalKeyAsync();

        await Sdk.Throws<KMSInvalidStateException>(() => _kms.EncryptAsync(key.KeyId, [1]), $"{key.Arn} is pending import.");
        await Sdk.Throws<KMSInvalidStateException>(() => _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId }), $"{key.Arn} is pending import.");
    }

    [Fact]
    public async Task A_key_pending_import_takes_description_and_tags_and_CancelKeyDeletion_brings_it_back_to_PendingImport()
    {
        var key = await _kms.NewExternalKeyAsync();

        await _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.KeyId, Description = "waiting" });
        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = [new Tag { TagKey = "k", TagValue = "v" }] });
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });
        await _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });

        var described = await _kms.DescribeAsync(key.KeyId);
        Assert.Equal("waiting", described.Description);
        Assert.Equal(KeyState.PendingImport, described.KeyState);
    }

    [Theory]
    [InlineData("RSA_2048", "RSAES_OAEP_SHA_1")]
    [InlineData("RSA_2048", "RSAES_OAEP_SHA_256")]
    [InlineData("RSA_2048", "RSA_AES_KEY_WRAP_SHA_1")]
    [InlineData("RSA_3072", "RSA_AES_KEY_WRAP_SHA_256")]
    [InlineData("RSA_3072", "RSAES_OAEP_SHA_256")]
    [InlineData("RSA_4096", "RSAES_OAEP_SHA_1")]
    [InlineData("RSA_4096", "RSA_AES_KEY_WRAP_SHA_256")]
    public async Task Symmetric_material_imported_with_each_wrapping_key_spec_and_algorithm_enables_the_key_and_round_trips(string spec, string algorithm)
    {
        var key = await _kms.NewExternalKeyAsync();
        var before = DateTime.UtcNow;
        var p = await _kms.ParametersAsync(key.KeyId, algorithm, spec);
        using (var rsa = RSA.Create())
        {
            rsa.ImportSubjectPublicKeyInfo(p.PublicKey.ToArray(), out _);
            Assert.Equal(int.Parse(spec[4..], System.Globalization.CultureInfo.InvariantCulture), rsa.KeySize);
        }

        Assert.Equal(key.Arn, p.KeyId);
        Assert.InRange(p.ParametersValidTo!.Value.ToUniversalTime(), before.AddHours(24).AddMinutes(-1), DateTime.UtcNow.AddHours(24).AddMinutes(1));
        var material = RandomNumberGenerator.GetBytes(32);
        var imported = await _kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId,
            ImportToken = new MemoryStream(p.ImportToken.ToArray()),
            EncryptedKeyMaterial = new MemoryStream(ImportSdk.Wrap(algorithm, p.PublicKey.ToArray(), material)),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
        });

        var described = await _kms.DescribeAsync(key.KeyId);
        Assert.Equal(key.Arn, imported.KeyId);
        Assert.Matches("^[0-9a-f]{64}$", imported.KeyMaterialId);
        Assert.Equal(KeyState.Enabled, described.KeyState);
        Assert.Equal(imported.KeyMaterialId, described.CurrentKeyMaterialId);
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, described.ExpirationModel);
        var blob = await _kms.EncryptAsync(key.KeyId, "imported"u8.ToArray());
        Assert.Equal("imported"u8.ToArray(), await _kms.DecryptAsync(blob));
    }

    [Theory]
    [InlineData("HMAC_256", 32)]
    [InlineData("HMAC_384", 48)]
    [InlineData("HMAC_512", 64)]
    public async Task An_imported_HMAC_key_gives_the_MAC_the_tests_own_copy_gives(string keySpec, int size)
    {
        var key = await _kms.NewExternalKeyAsync(keySpec, "GENERATE_VERIFY_MAC");
        var secret = RandomNumberGenerator.GetBytes(size);
        await _kms.ImportAsync(key.KeyId, secret);
        var message = "a message"u8.ToArray();

        var algorithm = "HMAC_SHA_" + keySpec[5..];
        var mac = await _kms.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, MacAlgorithm = algorithm, Message = new MemoryStream(message) });

        var expected = keySpec switch
        {
            "HMAC_256" => HMACSHA256.HashData(secret, message),
            "HMAC_384" => HMACSHA384.HashData(secret, message),
            _ => HMACSHA512.HashData(secret, message),
        };
        Assert.Equal(expected, mac.Mac.ToArray());
    }

    [Theory]
    [InlineData("ECC_NIST_P256", "nistP256", "ECDSA_SHA_256", "RSAES_OAEP_SHA_256")]
    [InlineData("ECC_NIST_P384", "nistP384", "ECDSA_SHA_384", "RSA_AES_KEY_WRAP_SHA_1")]
    [InlineData("ECC_NIST_P521", "nistP521", "ECDSA_SHA_512", "RSA_AES_KEY_WRAP_SHA_256")]
    [InlineData("ECC_SECG_P256K1", "secP256k1", "ECDSA_SHA_256", "RSA_AES_KEY_WRAP_SHA_256")]
    public async Task A_signature_by_an_imported_ECC_private_key_verifies_with_the_tests_own_public_key(string keySpec, string curve, string algorithm, string wrapping)
    {
        using var ec = ECDsa.Create(ECCurve.CreateFromFriendlyName(curve));
        var key = await _kms.NewExternalKeyAsync(keySpec, "SIGN_VERIFY");
        await _kms.ImportAsync(key.KeyId, ec.ExportPkcs8PrivateKey(), wrapping);
        var message = "signed outside"u8.ToArray();

        var signature = await _kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(message), SigningAlgorithm = algorithm });
        var publicKey = await _kms.GetPublicKeyAsync(new GetPublicKeyRequest { KeyId = key.KeyId });

        var hash = new HashAlgorithmName("SHA" + algorithm[^3..]);
        Assert.True(ec.VerifyData(message, signature.Signature.ToArray(), hash, DSASignatureFormat.Rfc3279DerSequence));
        Assert.Equal(ec.ExportSubjectPublicKeyInfo(), publicKey.PublicKey.ToArray());
    }

    [Fact]
    public async Task A_signature_by_an_imported_RSA_private_key_verifies_with_the_tests_own_public_key()
    {
        using var rsa = RSA.Create(2048);
        var key = await _kms.NewExternalKeyAsync("RSA_2048", "SIGN_VERIFY");
        await _kms.ImportAsync(key.KeyId, rsa.ExportPkcs8PrivateKey(), "RSA_AES_KEY_WRAP_SHA_256", "RSA_4096");
        var message = "signed outside"u8.ToArray();

        var pss = await _kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(message), SigningAlgorithm = "RSASSA_PSS_SHA_256" });
        var pkcs1 = await _kms.SignAsync(new SignRequest { KeyId = key.KeyId, Message = new MemoryStream(message), SigningAlgorithm = "RSASSA_PKCS1_V1_5_SHA_384" });

        Assert.True(rsa.VerifyData(message, pss.Signature.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pss));
        Assert.True(rsa.VerifyData(message, pkcs1.Signature.ToArray(), HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public async Task An_imported_RSA_encryption_key_decrypts_what_the_tests_own_public_key_encrypted()
    {
        using var rsa = RSA.Create(3072);
        var key = await _kms.NewExternalKeyAsync("RSA_3072", "ENCRYPT_DECRYPT");
        await _kms.ImportAsync(key.KeyId, rsa.ExportPkcs8PrivateKey(), "RSA_AES_KEY_WRAP_SHA_1", "RSA_2048");

        var decrypted = await _kms.DecryptAsync(new DecryptRequest
        {
            KeyId = key.KeyId,
            CiphertextBlob = new MemoryStream(rsa.Encrypt("outside"u8.ToArray(), RSAEncryptionPadding.OaepSHA256)),
            EncryptionAlgorithm = "RSAES_OAEP_SHA_256",
        });

        Assert.Equal("outside"u8.ToArray(), decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task DeleteImportedKeyMaterial_makes_the_key_pending_import_and_the_same_material_brings_old_ciphertext_back()
    {
        var key = await _kms.NewExternalKeyAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        var first = await _kms.ImportAsync(key.KeyId, material);
        var blob = await _kms.EncryptAsync(key.KeyId, [7, 7]);

        var deleted = await _kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId });
        var afterDelete = await _kms.DescribeAsync(key.KeyId);
        await Sdk.Throws<KMSInvalidStateException>(() => _kms.DecryptAsync(blob), $"{key.Arn} is pending import.");
        var again = await _kms.ImportAsync(key.KeyId, material, "RSA_AES_KEY_WRAP_SHA_256", "RSA_3072");

        Assert.Equal(key.Arn, deleted.KeyId);
        Assert.Equal(first.KeyMaterialId, deleted.KeyMaterialId);
        Assert.Equal(KeyState.PendingImport, afterDelete.KeyState);
        Assert.Equal(first.KeyMaterialId, afterDelete.CurrentKeyMaterialId); // as AWS shows it (describe-key-after-deleted-import)
        Assert.Null(afterDelete.ExpirationModel);
        Assert.Equal(first.KeyMaterialId, again.KeyMaterialId);
        Assert.Equal(new byte[] { 7, 7 }, await _kms.DecryptAsync(blob));
    }

    [Fact]
    public async Task Other_material_than_the_keys_is_IncorrectKeyMaterialException_after_deletion_and_while_imported()
    {
        var key = await _kms.NewExternalKeyAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        await _kms.ImportAsync(key.KeyId, material);

        await Sdk.Throws<IncorrectKeyMaterialException>(() => _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32)));
        await _kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId });
        await Sdk.Throws<IncorrectKeyMaterialException>(() => _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(32)));
        Assert.Equal(KeyState.PendingImport, (await _kms.DescribeAsync(key.KeyId)).KeyState);
    }

    [Fact]
    public async Task The_same_material_in_two_keys_has_two_material_ids()
    {
        var material = RandomNumberGenerator.GetBytes(32);
        var a = await _kms.NewExternalKeyAsync();
        var b = await _kms.NewExternalKeyAsync();

        var idA = (await _kms.ImportAsync(a.KeyId, material)).KeyMaterialId;
        var idB = (await _kms.ImportAsync(b.KeyId, material)).KeyMaterialId;

        Assert.NotEqual(idA, idB);
    }

    [Fact]
    public async Task An_import_token_of_another_key_or_altered_is_InvalidImportTokenException()
    {
        var key = await _kms.NewExternalKeyAsync();
        var other = await _kms.NewExternalKeyAsync();
        var p = await _kms.ParametersAsync(other.KeyId);
        var wrapped = ImportSdk.Wrap("RSAES_OAEP_SHA_256", p.PublicKey.ToArray(), RandomNumberGenerator.GetBytes(32));
        var altered = p.ImportToken.ToArray();
        altered[20] ^= 1;

        await Sdk.Throws<InvalidImportTokenException>(() => ImportRawAsync(key.KeyId, p.ImportToken.ToArray(), wrapped));
        await Sdk.Throws<InvalidImportTokenException>(() => ImportRawAsync(other.KeyId, altered, wrapped));
        await Sdk.Throws<InvalidImportTokenException>(() => ImportRawAsync(other.KeyId, [1, 2, 3], wrapped));
    }

    [Fact]
    public async Task Material_not_wrapped_under_the_tokens_public_key_is_InvalidCiphertextException()
    {
        var key = await _kms.NewExternalKeyAsync();
        var first = await _kms.ParametersAsync(key.KeyId);
        var second = await _kms.ParametersAsync(key.KeyId);
        var wrappedForSecond = ImportSdk.Wrap("RSAES_OAEP_SHA_256", second.PublicKey.ToArray(), RandomNumberGenerator.GetBytes(32));

        await Sdk.Throws<InvalidCiphertextException>(() => ImportRawAsync(key.KeyId, first.ImportToken.ToArray(), wrappedForSecond));
        Assert.Equal(KeyState.PendingImport, (await _kms.DescribeAsync(key.KeyId)).KeyState);
    }

    [Fact]
    public async Task Material_that_does_not_fit_the_key_spec_is_IncorrectKeyMaterialException()
    {
        var key = await _kms.NewExternalKeyAsync();

        await Sdk.Throws<IncorrectKeyMaterialException>(() => _kms.ImportAsync(key.KeyId, RandomNumberGenerator.GetBytes(16)));
    }

    [Theory]
    [InlineData("RSA_2048", "SM2PKE")]
    [InlineData("RSA_2048", "RSAES_PKCS1_V1_5")]
    [InlineData("SM2", "RSAES_OAEP_SHA_256")]
    [InlineData("SM2", "SM2PKE")] // SM2 wrapping keys only in China Regions
    public async Task A_wrapping_algorithm_the_spec_or_region_does_not_allow_is_UnsupportedOperationException(string spec, string algorithm)
    {
        var key = await _kms.NewExternalKeyAsync();

        await Sdk.Throws<UnsupportedOperationException>(() => _kms.ParametersAsync(key.KeyId, algorithm, spec));
    }

    [Fact]
    public async Task Key_policies_decide_on_kms_WrappingKeySpec_and_kms_ExpirationModel()
    {
        var policy = """
            {"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::ACCOUNT:root"},"Action":"kms:*","Resource":"*"},
              {"Effect":"Deny","Principal":"*","Action":"kms:GetParametersForImport","Resource":"*",
               "Condition":{"StringEquals":{"kms:WrappingKeySpec":"RSA_2048"}}},
              {"Effect":"Deny","Principal":"*","Action":"kms:ImportKeyMaterial","Resource":"*",
               "Condition":{"StringEquals":{"kms:ExpirationModel":"KEY_MATERIAL_DOES_NOT_EXPIRE"}}}]}
            """.Replace("ACCOUNT", Sdk.Account, StringComparison.Ordinal);
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL, Policy = policy })).KeyMetadata;
        var material = RandomNumberGenerator.GetBytes(32);

        await Sdk.ThrowsCode("AccessDeniedException", () => _kms.ParametersAsync(key.KeyId, spec: "RSA_2048"));
        await Sdk.ThrowsCode("AccessDeniedException", () => _kms.ImportAsync(key.KeyId, material, spec: "RSA_3072"));
        await _kms.ImportAsync(key.KeyId, material, spec: "RSA_3072", validTo: DateTime.UtcNow.AddDays(30));

        Assert.Equal(KeyState.Enabled, (await _kms.DescribeAsync(key.KeyId)).KeyState);
    }

    [Fact]
    public async Task KEY_MATERIAL_EXPIRES_without_ValidTo_is_AWSs_ValidationException()
    {
        var key = await _kms.NewExternalKeyAsync();
        var p = await _kms.ParametersAsync(key.KeyId);

        await Sdk.ThrowsValidation(() => _kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = key.KeyId,
            ImportToken = new MemoryStream(p.ImportToken.ToArray()),
            EncryptedKeyMaterial = new MemoryStream(ImportSdk.Wrap("RSAES_OAEP_SHA_256", p.PublicKey.ToArray(), new byte[32])),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES,
        }), "A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES");
    }

    [Fact]
    public async Task ImportKeyMaterial_and_DeleteImportedKeyMaterial_on_a_key_of_origin_AWS_KMS_are_UnsupportedOperationException()
    {
        var key = await _kms.NewKeyAsync();
        var message = $"{key.Arn} origin is AWS_KMS which is not valid for this operation.";

        await Sdk.Throws<UnsupportedOperationException>(() => ImportRawAsync(key.KeyId, [1], [1]), message);
        await Sdk.Throws<UnsupportedOperationException>(() => _kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId }), message);
    }

    private Task<ImportKeyMaterialResponse> ImportRawAsync(string keyId, byte[] token, byte[] encrypted) =>
        _kms.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = new MemoryStream(token),
            EncryptedKeyMaterial = new MemoryStream(encrypted),
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
        });
}
