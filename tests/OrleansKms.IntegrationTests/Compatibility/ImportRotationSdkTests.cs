using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// On-demand rotation of a symmetric key with imported material, as AWS: import new material (ImportType
/// NEW_KEY_MATERIAL, PENDING_ROTATION), RotateKeyOnDemand makes it current, earlier material still decrypts, and each
/// material can be deleted and imported again on its own; ListKeyRotations shows their import state and description.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class ImportRotationSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    private async Task<List<RotationsListEntry>> AllMaterialAsync(string keyId) =>
        (await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL })).Rotations;

    [Fact]
    public async Task New_material_waits_in_PENDING_ROTATION_until_RotateKeyOnDemand_makes_it_current_and_old_ciphertext_still_decrypts()
    {
        var key = await _kms.NewExternalKeyAsync();
        var first = (await _kms.ImportAsAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), importType: null, description: "first")).KeyMaterialId;
        var before = await _kms.EncryptAsync(key.KeyId, [1]);

        var second = (await _kms.ImportAsAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), "NEW_KEY_MATERIAL", description: "second")).KeyMaterialId;

        Assert.Equal(first, (await _kms.DescribeAsync(key.KeyId)).CurrentKeyMaterialId);
        var pending = await AllMaterialAsync(key.KeyId);
        Assert.Equal([first, second], pending.Select(r => r.KeyMaterialId));
        Assert.Equal(["CURRENT", "PENDING_ROTATION"], pending.Select(r => r.KeyMaterialState.Value));
        Assert.Equal(["IMPORTED", "IMPORTED"], pending.Select(r => r.ImportState.Value));
        Assert.Equal(["first", "second"], pending.Select(r => r.KeyMaterialDescription));
        Assert.All(pending, r => Assert.Equal(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, r.ExpirationModel));

        await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });

        Assert.Equal(second, (await _kms.DescribeAsync(key.KeyId)).CurrentKeyMaterialId);
        var rotation = Assert.Single((await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations);
        Assert.Equal((second, "CURRENT", "ON_DEMAND"), (rotation.KeyMaterialId, rotation.KeyMaterialState.Value, rotation.RotationType.Value));
        var after = await _kms.EncryptAsync(key.KeyId, [2]);
        Assert.Equal([1], await _kms.DecryptAsync(before));
        Assert.Equal([2], await _kms.DecryptAsync(after));
        Assert.Equal(["NON_CURRENT", "CURRENT"], (await AllMaterialAsync(key.KeyId)).Select(r => r.KeyMaterialState.Value));
    }

    [Fact]
    public async Task A_non_current_material_can_be_deleted_and_imported_again_by_its_KeyMaterialId()
    {
        var key = await _kms.NewExternalKeyAsync();
        var oldMaterial = RandomNumberGenerator.GetBytes(32);
        var first = (await _kms.ImportAsAsync(key.KeyId, oldMaterial, importType: null)).KeyMaterialId;
        var before = await _kms.EncryptAsync(key.KeyId, [7]);
        await _kms.ImportAsAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), "NEW_KEY_MATERIAL");
        await _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId });

        var deleted = await _kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId, KeyMaterialId = first });

        Assert.Equal(first, deleted.KeyMaterialId);
        Assert.Equal(KeyState.Enabled, (await _kms.DescribeAsync(key.KeyId)).KeyState);
        Assert.Equal(["PENDING_IMPORT", "IMPORTED"], (await AllMaterialAsync(key.KeyId)).Select(r => r.ImportState.Value));
        await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => _kms.DecryptAsync(before));
        Assert.Equal([8], await _kms.DecryptAsync(await _kms.EncryptAsync(key.KeyId, [8])));

        await _kms.ImportAsAsync(key.KeyId, oldMaterial, "EXISTING_KEY_MATERIAL", keyMaterialId: first);

        Assert.Equal([7], await _kms.DecryptAsync(before));
        Assert.Equal(["IMPORTED", "IMPORTED"], (await AllMaterialAsync(key.KeyId)).Select(r => r.ImportState.Value));
    }

    [Fact]
    public async Task The_rules_of_new_material_give_AWS_errors_and_change_nothing()
    {
        var key = await _kms.NewExternalKeyAsync();
        var material = RandomNumberGenerator.GetBytes(32);
        var first = (await _kms.ImportAsAsync(key.KeyId, material, importType: null)).KeyMaterialId;

        await Sdk.Throws<KMSInvalidStateException>(() => _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = key.KeyId }),
            $"{key.Arn} has no imported key material in PENDING_ROTATION state. Import new key material (ImportType NEW_KEY_MATERIAL) first.");
        await Sdk.Throws<IncorrectKeyMaterialException>(() => _kms.ImportAsAsync(key.KeyId, material, "NEW_KEY_MATERIAL"));
        await Sdk.ThrowsValidation(() => _kms.ImportAsAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), "NEW_KEY_MATERIAL", keyMaterialId: first),
            "You cannot specify a KeyMaterialId when ImportType is NEW_KEY_MATERIAL.");
        await Sdk.Throws<IncorrectKeyMaterialException>(() => _kms.ImportAsAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), "EXISTING_KEY_MATERIAL"));
        await _kms.ImportAsAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), "NEW_KEY_MATERIAL");
        await Sdk.Throws<KMSInvalidStateException>(() => _kms.ImportAsAsync(key.KeyId, RandomNumberGenerator.GetBytes(32), "NEW_KEY_MATERIAL"));
        await Sdk.Throws<NotFoundException>(() => _kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId, KeyMaterialId = new string('a', 64) }));

        Assert.Equal(first, (await _kms.DescribeAsync(key.KeyId)).CurrentKeyMaterialId);
        Assert.Equal(2, (await AllMaterialAsync(key.KeyId)).Count);
    }

    [Fact]
    public async Task An_asymmetric_imported_key_takes_no_second_material()
    {
        using var rsa = RSA.Create(2048);
        var key = await _kms.NewExternalKeyAsync("RSA_2048", "SIGN_VERIFY");
        await _kms.ImportAsync(key.KeyId, rsa.ExportPkcs8PrivateKey(), "RSA_AES_KEY_WRAP_SHA_256");
        using var other = RSA.Create(2048);

        await Sdk.Throws<UnsupportedOperationException>(() =>
            _kms.ImportAsAsync(key.KeyId, other.ExportPkcs8PrivateKey(), "NEW_KEY_MATERIAL", algorithm: "RSA_AES_KEY_WRAP_SHA_256"));
    }
}
