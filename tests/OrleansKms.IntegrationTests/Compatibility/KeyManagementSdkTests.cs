using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>CreateKey, DescribeKey, EnableKey, DisableKey and UpdateKeyDescription as the AWS SDK for .NET sees them.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class KeyManagementSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task DescribeKey_returns_every_field_AWS_returns_for_a_symmetric_key()
    {
        var before = DateTime.UtcNow;
        var created = await _kms.NewKeyAsync("describe me");
        var after = DateTime.UtcNow;

        var m = await _kms.DescribeAsync(created.KeyId);

        Assert.Equal(Sdk.Account, m.AWSAccountId);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", m.KeyId);
        Assert.Equal(Sdk.ArnOf(m.KeyId), m.Arn);
        Assert.InRange(m.CreationDate!.Value.ToUniversalTime(), before.AddSeconds(-1), after.AddSeconds(1));
        Assert.Matches("^[0-9a-f]{64}$", m.CurrentKeyMaterialId);
#pragma warning disable CS0618 // deprecated by AWS, still returned by AWS: users of old SDKs read it
        Assert.Equal(CustomerMasterKeySpec.SYMMETRIC_DEFAULT, m.CustomerMasterKeySpec);
#pragma warning restore CS0618
        Assert.Equal("describe me", m.Description);
        Assert.True(m.Enabled);
        Assert.Equal(["SYMMETRIC_DEFAULT"], m.EncryptionAlgorithms);
        Assert.Equal(KeyManagerType.CUSTOMER, m.KeyManager);
        Assert.Equal(KeySpec.SYMMETRIC_DEFAULT, m.KeySpec);
        Assert.Equal(KeyState.Enabled, m.KeyState);
        Assert.Equal(KeyUsageType.ENCRYPT_DECRYPT, m.KeyUsage);
        Assert.False(m.MultiRegion);
        Assert.Equal(OriginType.AWS_KMS, m.Origin);
        Assert.Null(m.DeletionDate);
        Assert.Null(m.PendingDeletionWindowInDays);
        Assert.Null(m.SigningAlgorithms);
        Assert.Null(m.MacAlgorithms);
        Assert.Null(m.MultiRegionConfiguration);
    }

    [Fact]
    public async Task CreateKey_returns_the_same_metadata_DescribeKey_returns_later()
    {
        var created = await _kms.NewKeyAsync("same");

        var described = await _kms.DescribeAsync(created.Arn);

        Assert.Equal(created.KeyId, described.KeyId);
        Assert.Equal(created.Arn, described.Arn);
        Assert.Equal(created.CreationDate, described.CreationDate);
        Assert.Equal(created.CurrentKeyMaterialId, described.CurrentKeyMaterialId);
        Assert.Equal(created.KeyState, described.KeyState);
        Assert.Equal(created.Description, described.Description);
    }

    [Fact]
    public async Task Successful_responses_carry_a_request_id_and_status_200()
    {
        var created = await _kms.CreateKeyAsync(new CreateKeyRequest());
        var described = await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = created.KeyMetadata.KeyId });

        Assert.Equal(System.Net.HttpStatusCode.OK, created.HttpStatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, described.HttpStatusCode);
        Assert.False(string.IsNullOrEmpty(created.ResponseMetadata.RequestId));
        Assert.NotEqual(created.ResponseMetadata.RequestId, described.ResponseMetadata.RequestId);
    }

    [Fact]
    public async Task CreateKey_without_a_description_has_an_empty_description()
    {
        var created = await _kms.NewKeyAsync();

        Assert.Equal("", created.Description);
        Assert.Equal("", (await _kms.DescribeAsync(created.KeyId)).Description);
    }

    [Fact]
    public async Task CreateKey_stores_its_tags()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest
        {
            Tags = [new Tag { TagKey = "team", TagValue = "payments" }, new Tag { TagKey = "empty", TagValue = "" }],
        })).KeyMetadata;

        var tags = (await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId })).Tags;

        Assert.Equal([("empty", ""), ("team", "payments")], tags.Select(t => (t.TagKey, t.TagValue)).Order());
    }

    public static TheoryData<string[], string> TagRuleViolations => new()
    {
        { ["aws:created-by"], "Tags beginning with aws: are reserved" },
        { ["AWS:created-by"], "Tags beginning with aws: are reserved" },
        { ["team", "team"], "Duplicate tag keys" },
        { Enumerable.Range(0, 51).Select(i => $"t{i}").ToArray(), "Too many tags" },
    };

    [Theory]
    [MemberData(nameof(TagRuleViolations))]
    public async Task CreateKey_with_tags_breaking_a_tag_rule_is_TagException_and_creates_no_key(string[] tagKeys, string message)
    {
        var keysBefore = await _kms.ListAllKeyIdsAsync();

        await Sdk.Throws<TagException>(() => _kms.CreateKeyAsync(new CreateKeyRequest
        {
            Tags = tagKeys.Select(k => new Tag { TagKey = k, TagValue = "v" }).ToList(),
        }), message);

        Assert.Equal(keysBefore.Order(), (await _kms.ListAllKeyIdsAsync()).Order());
    }

    [Fact]
    public async Task CreateKey_with_a_129_character_tag_key_is_the_AWS_ValidationException()
    {
        var key = new string('a', 129);

        await Sdk.ThrowsValidation(
            () => _kms.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = key, TagValue = "v" }] }),
            $"1 validation error detected: Value '{key}' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128");
    }

    [Fact]
    public async Task CreateKey_with_a_257_character_tag_value_is_the_AWS_ValidationException()
    {
        var value = new string('v', 257);

        await Sdk.ThrowsValidation(
            () => _kms.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = "k", TagValue = value }] }),
            $"1 validation error detected: Value '{value}' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256");
    }

    [Fact]
    public async Task CreateKey_of_an_HMAC_spec_without_KeyUsage_is_the_AWS_ValidationException()
    {
        await Sdk.ThrowsValidation(
            () => _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256 }),
            "You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.");
    }

    [Fact]
    public async Task CreateKey_of_a_symmetric_key_for_signing_is_the_AWS_ValidationException()
    {
        await Sdk.ThrowsValidation(
            () => _kms.CreateKeyAsync(new CreateKeyRequest { KeyUsage = KeyUsageType.SIGN_VERIFY }),
            "KeyUsage SIGN_VERIFY is not compatible with KeySpec SYMMETRIC_DEFAULT");
    }

    [Fact]
    public async Task CreateKey_with_an_unknown_KeySpec_is_a_ValidationException_listing_the_allowed_values()
    {
        // AWS's order (recorded: test_hmac_create_key_invalid_operations), then the specs AWS added after the recording.
        await Sdk.ThrowsValidation(() => _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = "HMAC_random" }),
            "1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: " +
            "[RSA_2048, ECC_NIST_P384, ECC_NIST_P256, ECC_NIST_P521, HMAC_384, RSA_3072, ECC_SECG_P256K1, RSA_4096, SYMMETRIC_DEFAULT, HMAC_256, " +
            "HMAC_224, HMAC_512, SM2, ML_DSA_44, ML_DSA_65, ML_DSA_87, ECC_NIST_EDWARDS25519]");
    }

    [Fact]
    public async Task DisableKey_then_EnableKey_change_KeyState_and_Enabled_and_repeating_either_succeeds()
    {
        var key = await _kms.NewKeyAsync();

        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.Arn });
        var disabled = await _kms.DescribeAsync(key.KeyId);
        await _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.Arn });
        await _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });
        var enabled = await _kms.DescribeAsync(key.KeyId);

        Assert.Equal(KeyState.Disabled, disabled.KeyState);
        Assert.False(disabled.Enabled);
        Assert.Equal(KeyState.Enabled, enabled.KeyState);
        Assert.True(enabled.Enabled);
    }

    [Fact]
    public async Task UpdateKeyDescription_changes_what_DescribeKey_returns_and_may_clear_it()
    {
        var key = await _kms.NewKeyAsync("before");

        await _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.KeyId, Description = "after" });
        var updated = await _kms.DescribeAsync(key.KeyId);
        await _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.Arn, Description = "" });
        var cleared = await _kms.DescribeAsync(key.KeyId);

        Assert.Equal("after", updated.Description);
        Assert.Equal("", cleared.Description);
    }

    [Fact]
    public async Task UpdateKeyDescription_of_a_disabled_key_succeeds()
    {
        var key = await _kms.NewKeyAsync("before");
        await _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        await _kms.UpdateKeyDescriptionAsync(new UpdateKeyDescriptionRequest { KeyId = key.KeyId, Description = "while disabled" });

        Assert.Equal("while disabled", (await _kms.DescribeAsync(key.KeyId)).Description);
    }

    [Fact]
    public async Task A_description_of_8193_characters_is_the_AWS_ValidationException()
    {
        var description = new string('d', 8193);

        await Sdk.ThrowsValidation(
            () => _kms.CreateKeyAsync(new CreateKeyRequest { Description = description }),
            $"1 validation error detected: Value '{description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192");
    }
}
