using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;
using static OrleansKms.IntegrationTests.Compatibility.LifecycleSdk;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>ListAliases (KeyId filter, Limit, Marker/Truncated paging) through the official AWS SDK for .NET.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class LifecycleListAliasesSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task The_KeyId_filter_lists_exactly_the_aliases_of_that_key_with_their_arns_targets_and_dates()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var other = await _kms.NewLifecycleKeyAsync();
        var mine = await CreateAliasesAsync(key, 3, "mine");
        await CreateAliasesAsync(other, 1, "other");

        var listed = await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.Arn });

        Assert.Equal(mine.Order(StringComparer.Ordinal), listed.Aliases.Select(a => a.AliasName));
        Assert.All(listed.Aliases, a =>
        {
            Assert.Equal(AliasArn(a.AliasName), a.AliasArn);
            Assert.Equal(key.KeyId, a.TargetKeyId);
            AssertAbout(DateTime.UtcNow, a.CreationDate);
            AssertAbout(DateTime.UtcNow, a.LastUpdatedDate);
        });
        Assert.False(listed.Truncated);
        Assert.Null(listed.NextMarker);
    }

    [Fact]
    public async Task A_key_without_aliases_lists_none()
    {
        var key = await _kms.NewLifecycleKeyAsync();

        var listed = await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId });

        Assert.Empty(listed.Aliases ?? []);
        Assert.False(listed.Truncated);
    }

    [Fact]
    public async Task Limit_and_Marker_page_through_the_aliases_of_a_key_without_gaps_or_repeats()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var created = await CreateAliasesAsync(key, 5, "paged");

        var pages = new List<ListAliasesResponse>();
        string? marker = null;
        do
        {
            var page = await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId, Limit = 2, Marker = marker });
            pages.Add(page);
            marker = page.NextMarker;
        }
        while (marker is not null && pages.Count < 10);

        Assert.Equal([2, 2, 1], pages.Select(p => p.Aliases.Count));
        Assert.Equal([true, true, false], pages.Select(p => p.Truncated ?? false));
        Assert.Equal(created.Order(StringComparer.Ordinal), pages.SelectMany(p => p.Aliases).Select(a => a.AliasName));
    }

    [Fact]
    public async Task Without_a_Limit_a_page_holds_50_aliases()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var created = await CreateAliasesAsync(key, 51, "default-limit");

        var first = await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId });
        var rest = await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = key.KeyId, Marker = first.NextMarker });

        Assert.Equal(50, first.Aliases.Count);
        Assert.True(first.Truncated);
        Assert.Single(rest.Aliases);
        Assert.False(rest.Truncated);
        Assert.Equal(created.Order(StringComparer.Ordinal), first.Aliases.Concat(rest.Aliases).Select(a => a.AliasName));
    }

    [Theory]
    [InlineData(0, "Member must have value greater than or equal to 1")]
    [InlineData(101, "Member must have value less than or equal to 100")]
    public async Task A_Limit_outside_1_to_100_is_a_ValidationException(int limit, string constraint)
    {
        var e = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() =>
            _kms.ListAliasesAsync(new ListAliasesRequest { Limit = limit }));

        Assert.Equal("ValidationException", e.ErrorCode);
        Assert.Equal($"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: {constraint}", e.Message);
    }

    [Fact]
    public async Task The_KeyId_filter_of_a_missing_key_is_NotFoundException()
    {
        var keyId = Guid.NewGuid().ToString();

        var e = await Assert.ThrowsAsync<NotFoundException>(() => _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = keyId }));

        Assert.Equal($"Key 'arn:aws:kms:{Region}:{Account}:key/{keyId}' does not exist", e.Message);
    }

    [Fact]
    public async Task UpdateAlias_moves_the_alias_to_the_new_key_in_the_list_and_keeps_its_creation_date()
    {
        var first = await _kms.NewLifecycleKeyAsync();
        var second = await _kms.NewLifecycleKeyAsync();
        var alias = (await CreateAliasesAsync(first, 1, "moved")).Single();
        var before = (await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = first.KeyId })).Aliases.Single();

        await _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = second.KeyId });

        Assert.Empty((await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = first.KeyId })).Aliases ?? []);
        var after = (await _kms.ListAliasesAsync(new ListAliasesRequest { KeyId = second.KeyId })).Aliases.Single();
        Assert.Equal(alias, after.AliasName);
        Assert.Equal(second.KeyId, after.TargetKeyId);
        Assert.Equal(before.CreationDate, after.CreationDate);
        Assert.True(after.LastUpdatedDate >= before.LastUpdatedDate);
    }

    [Fact]
    public async Task The_unfiltered_list_includes_a_new_alias_with_its_target()
    {
        var key = await _kms.NewLifecycleKeyAsync();
        var alias = (await CreateAliasesAsync(key, 1, "unfiltered")).Single();

        var all = new List<AliasListEntry>();
        string? marker = null;
        do
        {
            var page = await _kms.ListAliasesAsync(new ListAliasesRequest { Limit = 100, Marker = marker });
            all.AddRange(page.Aliases ?? []);
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        var entry = Assert.Single(all, a => a.AliasName == alias);
        Assert.Equal(key.KeyId, entry.TargetKeyId);
    }

    private async Task<List<string>> CreateAliasesAsync(Amazon.KeyManagementService.Model.KeyMetadata key, int count, string purpose)
    {
        var names = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var name = UniqueAlias(purpose);
            await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = name, TargetKeyId = key.KeyId });
            names.Add(name);
        }

        return names;
    }
}
