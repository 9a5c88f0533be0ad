using OrleansKms.Grains;

namespace OrleansKms.UnitTests.Grains;

/// <summary>The names of the key catalog's shards: a key id's shard is its longest prefix that is not split.</summary>
public sealed class KeyCatalogLayoutTests
{
    private const string Id = "3fa85f64-5717-4562-b3fc-2c963f66afa6";
    private const string MultiRegionId = "mrk-3fa85f6457174562b3fc2c963f66afa6";

    [Fact]
    public void A_key_id_belongs_to_its_first_digit_until_that_shard_is_split()
    {
        Assert.Equal("3", KeyCatalog.LeafOf(Id, []));
        Assert.Equal("mrk-3", KeyCatalog.LeafOf(MultiRegionId, []));
        Assert.Equal("3f", KeyCatalog.LeafOf(Id, ["3"]));
        Assert.Equal("3fa", KeyCatalog.LeafOf(Id, ["3", "3f"]));
        Assert.Equal("3f", KeyCatalog.LeafOf(Id, ["3", "3a", "mrk-3"]));
        Assert.Equal("mrk-3fa", KeyCatalog.LeafOf(MultiRegionId, ["3", "mrk-3", "mrk-3f"]));
    }

    [Fact]
    public void A_shard_has_sixteen_children_in_ordinal_order_and_one_parent()
    {
        var children = KeyCatalog.ChildrenOf("mrk-3f").ToList();
        Assert.Equal(16, children.Count);
        Assert.Equal(children.Order(StringComparer.Ordinal), children);
        Assert.All(children, child => Assert.Equal("mrk-3f", KeyCatalog.ParentOf(child)));
        Assert.Equal("3", KeyCatalog.ParentOf("3f"));
        Assert.Null(KeyCatalog.ParentOf("3"));
        Assert.Null(KeyCatalog.ParentOf("mrk-3"));
        Assert.Equal(3, KeyCatalog.DigitsOf("mrk-3fa"));
        Assert.Equal("3fa8", KeyCatalog.ChildOf("3fa", Id));
    }

    /// <summary>A key id's first six characters are hex digits in both forms, so a shard can split down to six digits.</summary>
    [Fact]
    public void The_deepest_shard_name_is_still_all_hex_digits()
    {
        foreach (var id in new[] { KeyIds.NewSingleRegion(), KeyIds.NewMultiRegion() })
        {
            var shard = KeyCatalog.RootOf(id);
            while (KeyCatalog.DigitsOf(shard) < KeyCatalog.MaxDigits) shard = KeyCatalog.ChildOf(shard, id);
            Assert.Matches("^(mrk-)?[0-9a-f]{6}$", shard);
        }
    }
}
