namespace OrleansKms.UnitTests.Gateway;

public sealed class KeyReferenceTests
{
    private const string Id = "1234abcd-12ab-34cd-56ef-1234567890ab";

    [Fact]
    public void Key_ids_and_key_arns_resolve_to_the_same_arn()
    {
        var fromId = KeyReference.ResolveKey(Id, "111122223333", "eu-west-1");
        var fromArn = KeyReference.ResolveKey($"arn:aws:kms:eu-west-1:111122223333:key/{Id}", "111122223333", "eu-west-1");
        Assert.Equal($"arn:aws:kms:eu-west-1:111122223333:key/{Id}", fromId.Value);
        Assert.Equal(fromId, fromArn);
    }

    [Theory]
    [InlineData("us-east-1", "aws")]
    [InlineData("eu-central-2", "aws")]
    [InlineData("cn-north-1", "aws-cn")]
    [InlineData("cn-northwest-1", "aws-cn")]
    [InlineData("us-gov-west-1", "aws-us-gov")]
    [InlineData("us-iso-east-1", "aws-iso")]
    [InlineData("us-isob-east-1", "aws-iso-b")]
    public void Arns_are_in_the_partition_of_their_region(string region, string partition)
    {
        Assert.Equal(partition, KeyArn.PartitionOf(region));
        Assert.Equal($"arn:{partition}:kms:{region}:111122223333:key/{Id}", KeyReference.ResolveKey(Id, "111122223333", region).Value);
        Assert.Equal($"arn:{partition}:kms:{region}:111122223333:alias/a", AliasNames.Arn("111122223333", region, "alias/a"));
        Assert.Equal(KeyReference.ResolveKey(Id, "111122223333", region),
            KeyReference.ResolveKey($"arn:{partition}:kms:{region}:111122223333:key/{Id}", "111122223333", region));
    }

    [Fact]
    public void An_arn_naming_another_partition_than_its_region_is_not_found()
    {
        var key = Assert.Throws<KmsException>(() => KeyReference.ResolveKey($"arn:aws:kms:cn-north-1:111122223333:key/{Id}", "111122223333", "cn-north-1"));
        Assert.Equal(KmsErrorCode.NotFoundException, key.Code);
        Assert.Equal($"Invalid arn arn:aws:kms:cn-north-1:111122223333:key/{Id}", key.Message);
        var alias = Assert.Throws<KmsException>(() => AliasNames.Parse("arn:aws-cn:kms:us-east-1:111122223333:alias/a", "111122223333", "us-east-1"));
        Assert.Equal(KmsErrorCode.NotFoundException, alias.Code);
    }

    [Theory]
    [InlineData("fake-key-id", "Invalid keyId 'fake-key-id'")]
    [InlineData("134f2428cec14b25a1ae9048164dba47", "Invalid keyId '134f2428cec14b25a1ae9048164dba47'")]
    [InlineData("mrk-fake-key-id", "Invalid keyId 'mrk-fake-key-id'")]
    [InlineData("arn:aws:kms:us-west-1:111122223333:key/" + Id, "Invalid arn us-west-1")]
    public void Malformed_or_foreign_references_are_NotFoundException_with_AWS_wording(string keyId, string message)
    {
        var e = Assert.Throws<KmsException>(() => KeyReference.ResolveKey(keyId, "111122223333", "us-east-1"));
        Assert.Equal(KmsErrorCode.NotFoundException, e.Code);
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [InlineData("arn:aws:kms:us-east-1:999999999999:key/" + Id)]
    public void A_key_of_another_account_resolves_for_its_key_policy_to_decide_but_an_alias_of_another_account_is_AccessDeniedException(string keyArn)
    {
        Assert.Equal(keyArn, KeyReference.ResolveKey(keyArn, "111122223333", "us-east-1").Value);
        var alias = Assert.Throws<KmsException>(() => AliasNames.Parse("arn:aws:kms:us-east-1:999999999999:alias/theirs", "111122223333", "us-east-1"));
        Assert.Equal(KmsErrorCode.AccessDeniedException, alias.Code);
    }

    [Theory]
    [InlineData("alias/my-key", true)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/my-key", true)]
    [InlineData(Id, false)]
    public void Alias_forms_are_recognised(string keyId, bool isAlias) => Assert.Equal(isAlias, KeyReference.IsAlias(keyId));
}
