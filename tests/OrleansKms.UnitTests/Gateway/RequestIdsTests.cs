using OrleansKms.Gateway;

namespace OrleansKms.UnitTests.Gateway;

public sealed class RequestIdsTests
{
    [Fact]
    public void Ids_are_distinct_version_4_uuids_across_buffer_refills_and_threads()
    {
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, _ => { for (var i = 0; i < 1000; i++) ids.Add(RequestIds.New()); }); // 16 KB each: several refills
        Assert.Equal(4000, ids.Distinct().Count());
        Assert.All(ids, id =>
        {
            Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", id);
            Assert.Equal(4, Guid.Parse(id).Version);
        });
    }
}
