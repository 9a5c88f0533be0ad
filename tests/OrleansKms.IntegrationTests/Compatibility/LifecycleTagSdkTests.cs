using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;
using static OrleansKms.IntegrationTests.Compatibility.LifecycleSdk;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>TagResource, UntagResource and ListResourceTags through the official AWS SDK for .NET, as recorded from AWS.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class LifecycleTagSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task Tagging_an_existing_key_lists_the_tags_in_order_and_untagging_all_leaves_none()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Tags(("tag1", "value1"), ("tag2", "value2")) });
        var tagged = await ListAsync(key.KeyId);
        await _kms.UntagResourceAsync(new UntagResourceRequest { KeyId = key.Arn, TagKeys = ["tag1", "tag2"] });

        Assert.Equal([("tag1", "value1"), ("tag2", "value2")], tagged);
        Assert.Empty(await ListAsync(key.KeyId));
    }

    [Fact]
    public async Task Tags_given_to_CreateKey_are_listed_and_can_be_removed()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Tags(("tag1", "value1"), ("tag2", "value2")) })).KeyMetadata;

        var tagged = await ListAsync(key.Arn);
        await _kms.UntagResourceAsync(new UntagResourceRequest { KeyId = key.KeyId, TagKeys = ["tag1", "tag2"] });

        Assert.Equal([("tag1", "value1"), ("tag2", "value2")], tagged);
        Assert.Empty(await ListAsync(key.KeyId));
    }

    [Fact]
    public async Task Untagging_some_keys_keeps_the_others_in_their_order()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Tags(("tag1", "value1"), ("tag2", "value2"), ("tag3", "value3")) });

        await _kms.UntagResourceAsync(new UntagResourceRequest { KeyId = key.KeyId, TagKeys = ["tag2", "not-there"] });

        Assert.Equal([("tag1", "value1"), ("tag3", "value3")], await ListAsync(key.KeyId));
    }

    [Fact]
    public async Task Tagging_a_tagged_key_replaces_values_in_place_and_appends_new_keys()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Tags(("tag1", "value1"), ("tag2", "value2"), ("tag3", "value3")) });
        var before = await ListAsync(key.KeyId);

        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Tags(("tag2", "updated_value2"), ("tag4", "value4"), ("tag5", "value5")) });

        Assert.Equal([("tag1", "value1"), ("tag2", "value2"), ("tag3", "value3")], before);
        Assert.Equal([("tag1", "value1"), ("tag2", "updated_value2"), ("tag3", "value3"), ("tag4", "value4"), ("tag5", "value5")],
            await ListAsync(key.KeyId));
    }

    [Fact]
    public async Task Duplicate_tag_keys_in_one_request_are_the_recorded_TagException_and_tag_nothing()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var e = await Assert.ThrowsAsync<TagException>(() =>
            _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Tags(("same", "a"), ("same", "b")) }));

        Assert.Equal("Duplicate tag keys", e.Message);
        Assert.Empty(await ListAsync(key.KeyId));
    }

    [Theory]
    [InlineData("aws:owner")]
    [InlineData("AWS:owner")]
    public async Task Tag_keys_beginning_with_aws_are_the_recorded_TagException_on_TagResource_and_CreateKey(string tagKey)
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var onTag = await Assert.ThrowsAsync<TagException>(() =>
            _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Tags((tagKey, "x")) }));
        var onCreate = await Assert.ThrowsAsync<TagException>(() =>
            _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Tags((tagKey, "x")) }));

        Assert.Equal("Tags beginning with aws: are reserved", onTag.Message);
        Assert.Equal("Tags beginning with aws: are reserved", onCreate.Message);
        Assert.Empty(await ListAsync(key.KeyId));
    }

    [Fact]
    public async Task More_than_50_tags_in_one_request_is_the_recorded_TagException()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var tags = Numbered("t", 51);

        var onTag = await Assert.ThrowsAsync<TagException>(() => _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = tags }));
        var onCreate = await Assert.ThrowsAsync<TagException>(() => _kms.CreateKeyAsync(new CreateKeyRequest { Tags = tags }));

        Assert.Equal("Too many tags", onTag.Message);
        Assert.Equal("Too many tags", onCreate.Message);
        Assert.Empty(await ListAsync(key.KeyId));
    }

    [Fact]
    public async Task More_than_50_tags_after_merging_is_TagException_while_exactly_50_and_value_updates_are_accepted()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Numbered("old", 30) })).KeyMetadata;

        var e = await Assert.ThrowsAsync<TagException>(() =>
            _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Numbered("new", 21) }));
        Assert.Equal("Too many tags", e.Message);
        Assert.Equal(30, (await ListAsync(key.KeyId)).Count);

        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Numbered("new", 20) });
        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Tags(("old-1", "changed")) });

        var all = await ListAsync(key.KeyId);
        Assert.Equal(50, all.Count);
        Assert.Equal(("old-1", "changed"), all[1]);
    }

    [Fact]
    public async Task A_129_character_tag_key_is_the_recorded_ValidationException()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var tagKey = new string('a', 129);

        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Tags((tagKey, "v")) }));

        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal($"1 validation error detected: Value '{tagKey}' at 'tags.1.member.tagKey' failed to satisfy constraint: " +
            "Member must have length less than or equal to 128", e.Message);
    }

    [Fact]
    public async Task A_257_character_tag_value_is_the_recorded_ValidationException()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var tagValue = new string('v', 257);

        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Tags(("k", tagValue)) }));

        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal($"1 validation error detected: Value '{tagValue}' at 'tags.1.member.tagValue' failed to satisfy constraint: " +
            "Member must have length less than or equal to 256", e.Message);
    }

    [Fact]
    public async Task An_empty_tag_value_is_allowed()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        await _kms.TagResourceAsync(new TagResourceRequest { KeyId = key.KeyId, Tags = Tags(("empty", "")) });

        Assert.Equal([("empty", "")], await ListAsync(key.KeyId));
    }

    [Fact]
    public async Task Limit_and_Marker_page_through_the_tags_in_order()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = Numbered("p", 5) })).KeyMetadata;

        var first = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId, Limit = 2 });
        var second = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId, Limit = 2, Marker = first.NextMarker });
        var third = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId, Limit = 2, Marker = second.NextMarker });

        Assert.Equal([true, true, false], new[] { first.Truncated ?? false, second.Truncated ?? false, third.Truncated ?? false });
        Assert.Null(third.NextMarker);
        Assert.Equal(Numbered("p", 5).Select(t => t.TagKey), first.Tags.Concat(second.Tags).Concat(third.Tags).Select(t => t.TagKey));
    }

    [Theory]
    [InlineData(0, "Member must have value greater than or equal to 1")]
    [InlineData(51, "Member must have value less than or equal to 50")]
    public async Task A_ListResourceTags_Limit_outside_1_to_50_is_a_ValidationException(int limit, string constraint)
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId, Limit = limit }));

        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal($"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: {constraint}", e.Message);
    }

    [Fact]
    public async Task Tagging_or_listing_the_tags_of_a_missing_key_is_NotFoundException()
    {
        var arn = $"arn:aws:kms:{Region}:{Account}:key/{Guid.NewGuid()}";

        var tag = await Assert.ThrowsAsync<NotFoundException>(() => _kms.TagResourceAsync(new TagResourceRequest { KeyId = arn, Tags = Tags(("k", "v")) }));
        var list = await Assert.ThrowsAsync<NotFoundException>(() => _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = arn }));

        Assert.Equal($"Key '{arn}' does not exist", tag.Message);
        Assert.Equal($"Key '{arn}' does not exist", list.Message);
    }

    private async Task<List<(string, string)>> ListAsync(string keyId)
    {
        var response = await _kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId });
        Assert.False(response.Truncated ?? false);
        return (response.Tags ?? []).Select(t => (t.TagKey, t.TagValue)).ToList();
    }

    private static List<Tag> Tags(params (string Key, string Value)[] tags) =>
        tags.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value }).ToList();

    private static List<Tag> Numbered(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => new Tag { TagKey = $"{prefix}-{i}", TagValue = $"value-{i}" }).ToList();
}
