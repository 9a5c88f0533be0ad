using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>ListKeys paging as the AWS SDK for .NET drives it (Limit, Marker, Truncated, NextMarker).</summary>
[Collection(KmsServerCollection.Name)]
public sealed class ListKeysSdkTests(KmsServerFixture fixture)
{
    private readonly AmazonKeyManagementServiceClient _kms = fixture.Client();

    [Fact]
    public async Task Paging_with_Limit_2_and_Marker_sees_every_key_exactly_once()
    {
        var created = new List<string>();
        for (var i = 0; i < 5; i++) created.Add((await _kms.NewKeyAsync($"page {i}")).KeyId);

        var seen = new List<string>();
        string? marker = null;
        var pages = 0;
        while (true)
        {
            var page = await _kms.ListKeysAsync(new ListKeysRequest { Limit = 2, Marker = marker });
            pages++;
            Assert.InRange(page.Keys.Count, 1, 2);
            Assert.All(page.Keys, k => Assert.Equal(Sdk.ArnOf(k.KeyId), k.KeyArn));
            seen.AddRange(page.Keys.Select(k => k.KeyId));
            if (page.Truncated != true)
            {
                Assert.Null(page.NextMarker);
                break;
            }

            Assert.Equal(2, page.Keys.Count);
            Assert.False(string.IsNullOrEmpty(page.NextMarker));
            marker = page.NextMarker;
        }

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.All(created, id => Assert.Single(seen, id));
        Assert.Equal((seen.Count + 1) / 2, pages);
    }

    [Fact]
    public async Task ListKeys_without_a_limit_returns_a_new_key_with_its_arn()
    {
        var key = await _kms.NewKeyAsync();

        var all = new List<KeyListEntry>();
        ListKeysResponse page;
        string? marker = null;
        do
        {
            page = await _kms.ListKeysAsync(new ListKeysRequest { Marker = marker });
            all.AddRange(page.Keys);
            marker = page.NextMarker;
        }
        while (page.Truncated == true);

        var entry = Assert.Single(all, k => k.KeyId == key.KeyId);
        Assert.Equal(key.Arn, entry.KeyArn);
    }

    [Fact]
    public async Task Keys_created_concurrently_are_all_listed_once()
    {
        var created = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => _kms.NewKeyAsync($"concurrent {i}")));

        var listed = await _kms.ListAllKeyIdsAsync(limit: 7);

        Assert.Equal(listed.Count, listed.Distinct().Count());
        Assert.All(created, key => Assert.Single(listed, key.KeyId));
    }

    [Fact]
    public async Task ListKeys_with_a_limit_as_large_as_the_list_is_not_truncated()
    {
        await _kms.NewKeyAsync();
        var total = (await _kms.ListAllKeyIdsAsync()).Count;

        var page = await _kms.ListKeysAsync(new ListKeysRequest { Limit = total });

        Assert.Equal(total, page.Keys.Count);
        Assert.False(page.Truncated);
        Assert.Null(page.NextMarker);
    }

    [Theory]
    [InlineData(0, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1")]
    [InlineData(1001, "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000")]
    public async Task ListKeys_with_a_limit_outside_1_to_1000_is_the_AWS_ValidationException(int limit, string message)
    {
        await Sdk.ThrowsValidation(() => _kms.ListKeysAsync(new ListKeysRequest { Limit = limit }), message);
    }

    [Fact]
    public async Task ListKeys_with_a_marker_it_never_issued_is_InvalidMarkerException()
    {
        await Sdk.Throws<InvalidMarkerException>(() => _kms.ListKeysAsync(new ListKeysRequest { Marker = "not-a-marker" }));
    }
}
