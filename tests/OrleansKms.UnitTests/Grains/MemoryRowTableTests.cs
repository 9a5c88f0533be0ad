using OrleansKms.Grains.Hosting;

namespace OrleansKms.UnitTests.Grains;

/// <summary>
/// The rows of <c>--storage memory</c>: what is written reads back, every write gets a new ETag, a write or clear with
/// a stale ETag is refused and changes nothing, and the states of one grain (a key's <c>key</c> and <c>lastusage</c>
/// rows, kept together) stay independent of each other.
/// </summary>
public sealed class MemoryRowTableTests
{
    private static readonly GrainId Key = GrainId.Create("keygrain", "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    private static readonly GrainId OtherKey = GrainId.Create("keygrain", "arn:aws:kms:us-east-1:111122223333:key/0987dcba-12ab-34cd-56ef-1234567890ab");
    private readonly MemoryRowTable _table = new();

    [Fact]
    public void A_row_never_written_reads_as_none_and_clears_without_complaint()
    {
        Assert.Null(_table.Read("key", Key));
        Assert.True(_table.Clear("key", Key, 0));
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void A_written_row_reads_back_with_its_etag_and_each_write_gets_a_new_etag()
    {
        var first = _table.Write("key", Key, [1, 2, 3], 0);
        var second = _table.Write("key", Key, [4, 5], first!.Value);

        var stored = _table.Read("key", Key);
        Assert.NotNull(stored);
        Assert.Equal([4, 5], stored.Data);
        Assert.Equal(second, stored.ETag);
        Assert.NotEqual(first, second);
        Assert.Equal(1, _table.Count);
    }

    [Fact]
    public void A_write_or_clear_with_a_stale_etag_is_refused_and_changes_nothing()
    {
        var first = _table.Write("key", Key, [1], 0)!.Value;
        var second = _table.Write("key", Key, [2], first)!.Value;

        Assert.Null(_table.Write("key", Key, [9], first));
        Assert.Null(_table.Write("key", Key, [9], 0));
        Assert.False(_table.Clear("key", Key, first));

        var stored = _table.Read("key", Key);
        Assert.Equal([2], stored!.Data);
        Assert.Equal(second, stored.ETag);
    }

    [Fact]
    public void The_states_of_one_grain_are_separate_rows()
    {
        var key = _table.Write("key", Key, [1], 0)!.Value;
        var usage = _table.Write("lastusage", Key, [2], 0)!.Value;

        Assert.Null(_table.Write("lastusage", Key, [3], key));
        Assert.True(_table.Clear("key", Key, key));

        Assert.Null(_table.Read("key", Key));
        Assert.Equal([2], _table.Read("lastusage", Key)!.Data);
        Assert.Equal(usage, _table.Read("lastusage", Key)!.ETag);
        Assert.Equal(1, _table.Count);
        Assert.Equal(1, _table.Grains);
    }

    [Fact]
    public void Clearing_a_grains_last_row_forgets_the_grain_and_a_later_write_starts_afresh()
    {
        var etag = _table.Write("key", Key, [1], 0)!.Value;
        _table.Write("key", OtherKey, [7], 0);

        Assert.True(_table.Clear("key", Key, etag));
        Assert.Equal(1, _table.Grains);
        Assert.Null(_table.Read("key", Key));

        var again = _table.Write("key", Key, [2], 0);
        Assert.NotNull(again);
        Assert.True(again > etag);
        Assert.Equal([2], _table.Read("key", Key)!.Data);
        Assert.Equal([7], _table.Read("key", OtherKey)!.Data);
    }

    [Fact]
    public void A_grain_id_that_arrives_as_another_copy_finds_the_same_rows()
    {
        _table.Write("key", Key, [1], 0);
        var copy = GrainId.Create(new string("keygrain".ToCharArray()), new string(Key.Key.ToString()!.ToCharArray()));

        Assert.Equal([1], _table.Read("key", copy)!.Data);
    }
}
