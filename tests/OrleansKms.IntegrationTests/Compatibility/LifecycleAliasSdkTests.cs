using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;
using static OrleansKms.IntegrationTests.Compatibility.LifecycleSdk;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>CreateAlias, UpdateAlias, DeleteAlias and aliases as key references, as the official AWS SDK for .NET sees them.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class LifecycleAliasSdkTests(KmsServerFixture fixture)
{
    private static readonly byte[] Secret = [7, 7, 7, 42];
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task Alias_name_and_alias_arn_name_the_key_for_encrypt_decrypt_and_describe()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var alias = UniqueAlias("use");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        foreach (var reference in new[] { alias, AliasArn(alias) })
        {
            var encrypted = await _kms.EncryptAsync(new EncryptRequest { KeyId = reference, Plaintext = new MemoryStream(Secret) });
            Assert.Equal(key.Arn, encrypted.KeyId);
            var decrypted = await _kms.DecryptBlobAsync(encrypted.CiphertextBlob.ToArray(), keyId: reference);
            Assert.Equal(Secret, decrypted.Plaintext.ToArray());
            Assert.Equal(key.Arn, decrypted.KeyId);
            var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = reference });
            Assert.Equal(key.Arn, described.KeyMetadata.Arn);
        }
    }

    [Fact]
    public async Task Aliases_name_the_source_and_destination_of_ReEncrypt_and_the_key_of_GenerateDataKey()
    {
        var source = await _kms.NewLifecycleKeyAsync();
        var destination = await _kms.NewLifecycleKeyAsync();
        var sourceAlias = UniqueAlias("re-src");
        var destinationAlias = UniqueAlias("re-dst");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = sourceAlias, TargetKeyId = source.Arn });
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = destinationAlias, TargetKeyId = destination.KeyId });
        var ciphertext = await _kms.EncryptToBlobAsync(source.KeyId, Secret);

        var reEncrypted = await _kms.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(ciphertext),
            SourceKeyId = sourceAlias,
            DestinationKeyId = AliasArn(destinationAlias),
        });
        var dataKey = await _kms.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = destinationAlias, NumberOfBytes = 32 });
        var dataKeyWithout = await _kms.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest
        {
            KeyId = AliasArn(sourceAlias),
            KeySpec = DataKeySpec.AES_256,
        });

        Assert.Equal(source.Arn, reEncrypted.SourceKeyId);
        Assert.Equal(destination.Arn, reEncrypted.KeyId);
        Assert.Equal(Secret, (await _kms.DecryptBlobAsync(reEncrypted.CiphertextBlob.ToArray())).Plaintext.ToArray());
        Assert.Equal(destination.Arn, dataKey.KeyId);
        Assert.Equal(dataKey.Plaintext.ToArray(), (await _kms.DecryptBlobAsync(dataKey.CiphertextBlob.ToArray())).Plaintext.ToArray());
        Assert.Equal(source.Arn, dataKeyWithout.KeyId);
        Assert.Equal(source.Arn, (await _kms.DecryptBlobAsync(dataKeyWithout.CiphertextBlob.ToArray())).KeyId);
    }

    [Theory]
    [InlineData("EnableKey")]
    [InlineData("DisableKey")]
    [InlineData("UpdateKeyDescription")]
    [InlineData("TagResource")]
    [InlineData("UntagResource")]
    [InlineData("ListResourceTags")]
    [InlineData("ScheduleKeyDeletion")]
    [InlineData("CancelKeyDeletion")]
    [InlineData("EnableKeyRotation")]
    [InlineData("DisableKeyRotation")]
    [InlineData("GetKeyRotationStatus")]
    [InlineData("RotateKeyOnDemand")]
    [InlineData("ListKeyRotations")]
    public async Task An_alias_is_an_invalid_key_id_where_AWS_takes_only_key_ids_and_arns(string operation)
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var alias = UniqueAlias("refused");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        var e = await Assert.ThrowsAsync<NotFoundException>(() => CallWithKeyId(operation, alias));

        Assert.Equal($"Invalid keyId '{alias}'", e.Message);
        var after = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId });
        Assert.Equal(KeyState.Enabled, after.KeyMetadata.KeyState);
        Assert.Equal("lifecycle", after.KeyMetadata.Description);
    }

    [Fact]
    public async Task An_alias_name_without_the_alias_prefix_is_the_recorded_ValidationException()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "no-prefix-" + Guid.NewGuid().ToString("N"), TargetKeyId = key.KeyId }));

        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal("Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html", e.Message);
    }

    [Fact]
    public async Task An_alias_under_alias_aws_is_InvalidAliasNameException()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        await Assert.ThrowsAsync<InvalidAliasNameException>(() =>
            _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/aws/" + Guid.NewGuid().ToString("N"), TargetKeyId = key.KeyId }));
    }

    [Theory]
    [InlineData("alias/has space")]
    [InlineData("alias/star*")]
    [InlineData("alias/dot.dot")]
    public async Task An_alias_name_outside_the_model_pattern_is_a_ValidationException(string aliasName)
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = aliasName, TargetKeyId = key.KeyId }));

        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal($"1 validation error detected: Value '{aliasName}' at 'aliasName' failed to satisfy constraint: " +
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$", e.Message);
    }

    [Fact]
    public async Task An_alias_name_longer_than_256_characters_is_a_ValidationException()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var aliasName = "alias/" + new string('a', 251);

        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = aliasName, TargetKeyId = key.KeyId }));

        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal($"1 validation error detected: Value '{aliasName}' at 'aliasName' failed to satisfy constraint: " +
            "Member must have length less than or equal to 256", e.Message);
    }

    [Fact]
    public async Task Creating_an_alias_twice_is_AlreadyExistsException_and_keeps_the_first_target()
    {
        var first = await _kms.NewLifecycleKeyAsync();
        var second = await _kms.NewLifecycleKeyAsync();
        var alias = UniqueAlias("dup");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = first.KeyId });

        var e = await Assert.ThrowsAsync<AlreadyExistsException>(() =>
            _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = second.KeyId }));

        Assert.Equal($"An alias with the name {AliasArn(alias)} already exists", e.Message);
        Assert.Equal(first.Arn, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.Arn);
    }

    [Fact]
    public async Task An_alias_to_a_missing_key_is_NotFoundException_and_is_not_created()
    {
        var missingKeyId = Guid.NewGuid().ToString();
        var alias = UniqueAlias("missing-target");

        var e = await Assert.ThrowsAsync<NotFoundException>(() =>
            _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = missingKeyId }));

        Assert.Equal($"Key 'arn:aws:kms:{Region}:{Account}:key/{missingKeyId}' does not exist", e.Message);
        var lookup = await Assert.ThrowsAsync<NotFoundException>(() => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias }));
        Assert.Equal($"Alias {AliasArn(alias)} is not found.", lookup.Message);
    }

    [Fact]
    public async Task Updating_or_deleting_or_using_a_missing_alias_is_NotFoundException_naming_the_alias_arn()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var alias = UniqueAlias("never-created");
        var expected = $"Alias {AliasArn(alias)} is not found.";

        var update = await Assert.ThrowsAsync<NotFoundException>(() =>
            _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId }));
        var delete = await Assert.ThrowsAsync<NotFoundException>(() => _kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = alias }));
        var encrypt = await Assert.ThrowsAsync<NotFoundException>(() => _kms.EncryptToBlobAsync(alias, Secret));

        Assert.Equal(expected, update.Message);
        Assert.Equal(expected, delete.Message);
        Assert.Equal(expected, encrypt.Message);
    }

    [Fact]
    public async Task UpdateAlias_repoints_encryption_to_the_new_key_while_older_ciphertext_still_decrypts()
    {
        var first = await _kms.NewLifecycleKeyAsync();
        var second = await _kms.NewLifecycleKeyAsync();
        var alias = UniqueAlias("repoint");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = first.KeyId });
        var before = await _kms.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = new MemoryStream(Secret) });

        await _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = second.Arn });
        var after = await _kms.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = new MemoryStream(Secret) });

        Assert.Equal(first.Arn, before.KeyId);
        Assert.Equal(second.Arn, after.KeyId);
        var old = await _kms.DecryptBlobAsync(before.CiphertextBlob.ToArray());
        Assert.Equal(first.Arn, old.KeyId);
        Assert.Equal(Secret, old.Plaintext.ToArray());
        Assert.Equal(second.Arn, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = AliasArn(alias) })).KeyMetadata.Arn);
    }

    [Fact]
    public async Task Decrypt_naming_an_alias_that_now_points_elsewhere_is_IncorrectKeyException()
    {
        var first = await _kms.NewLifecycleKeyAsync();
        var second = await _kms.NewLifecycleKeyAsync();
        var alias = UniqueAlias("moved-away");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = first.KeyId });
        var ciphertext = await _kms.EncryptToBlobAsync(alias, Secret);

        await _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = second.KeyId });

        await Assert.ThrowsAsync<IncorrectKeyException>(() => _kms.DecryptBlobAsync(ciphertext, keyId: alias));
        Assert.Equal(Secret, (await _kms.DecryptBlobAsync(ciphertext, keyId: first.Arn)).Plaintext.ToArray());
    }

    [Fact]
    public async Task An_alias_to_a_disabled_key_is_created_and_Encrypt_through_it_is_DisabledException()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
        var alias = UniqueAlias("to-disabled");

        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId });

        var e = await Assert.ThrowsAsync<DisabledException>(() => _kms.EncryptToBlobAsync(alias, Secret));
        Assert.Equal($"{key.Arn} is disabled.", e.Message);
        Assert.Equal(key.Arn, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.Arn);
    }

    [Fact]
    public async Task An_alias_to_a_key_pending_deletion_is_KMSInvalidStateException_for_create_and_update()
    {
        var live = await _kms.NewLifecycleKeyAsync();
        var doomed = await _kms.NewLifecycleKeyAsync();
        await _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = doomed.KeyId, PendingWindowInDays = 7 });
        var alias = UniqueAlias("to-doomed");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = live.KeyId });

        var create = await Assert.ThrowsAsync<KMSInvalidStateException>(() =>
            _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = UniqueAlias("to-doomed"), TargetKeyId = doomed.KeyId }));
        var update = await Assert.ThrowsAsync<KMSInvalidStateException>(() =>
            _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = doomed.Arn }));

        Assert.Equal($"{doomed.Arn} is pending deletion.", create.Message);
        Assert.Equal($"{doomed.Arn} is pending deletion.", update.Message);
        Assert.Equal(live.Arn, (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.Arn);
    }

    [Fact]
    public async Task After_DeleteAlias_the_alias_no_longer_resolves_and_its_name_can_be_reused()
    {
        var first = await _kms.NewLifecycleKeyAsync();
        var second = await _kms.NewLifecycleKeyAsync();
        var alias = UniqueAlias("deleted");
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = first.KeyId });
        Assert.Equal(first.Arn, (await _kms.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = new MemoryStream(Secret) })).KeyId);

        await _kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = alias });

        var encrypt = await Assert.ThrowsAsync<NotFoundException>(() => _kms.EncryptToBlobAsync(alias, Secret));
        Assert.Equal($"Alias {AliasArn(alias)} is not found.", encrypt.Message);
        await Assert.ThrowsAsync<NotFoundException>(() => _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = AliasArn(alias) }));
        var listed = await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = first.KeyId });
        Assert.DoesNotContain(listed.Aliases ?? [], a => a.AliasName == alias);

        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = second.KeyId });
        Assert.Equal(second.Arn, (await _kms.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = new MemoryStream(Secret) })).KeyId);
    }

    private Task CallWithKeyId(string operation, string keyId) => operation switch
    {
        "EnableKey" => _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId }),
        "DisableKey" => _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId }),
        "UpdateKeyDescription" => _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = keyId, Description = "changed" }),
        "TagResource" => _kms.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = "k", TagValue = "v" }] }),
        "UntagResource" => _kms.UntagResourceAsync(new UntagResourceRequest { KeyId = keyId, TagKeys = ["k"] }),
        "ListResourceTags" => _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId }),
        "ScheduleKeyDeletion" => _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 }),
        "CancelKeyDeletion" => _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = keyId }),
        "EnableKeyRotation" => _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId }),
        "DisableKeyRotation" => _kms.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = keyId }),
        "GetKeyRotationStatus" => _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId }),
        "RotateKeyOnDemand" => _kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId }),
        "ListKeyRotations" => _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId }),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "not an operation of this test"),
    };
}
