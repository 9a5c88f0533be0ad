using System.Text;
using OrleansKms.Hosting.Durability;

namespace OrleansKms.UnitTests.Hosting;

public sealed class JournalReplayTests
{
    [Fact]
    public void An_entity_body_becomes_an_entity_with_the_types_its_annotations_give()
    {
        var body = """
            {"PartitionKey":"ignored","RowKey":"ignored","Timestamp":"2026-01-01T00:00:00Z",
             "Data":"AAEC","Data@odata.type":"Edm.Binary",
             "Big":"9007199254740993","Big@odata.type":"Edm.Int64",
             "When":"2026-11-30T10:00:00.1234567Z","When@odata.type":"Edm.DateTime",
             "Id":"3f2504e0-4f89-11d3-9a0c-0305e82c3301","Id@odata.type":"Edm.Guid",
             "Text":"hello","Small":42,"Ratio":0.5,"Flag":true,"Nothing":null}
            """;
        var entity = JournalReplay.Entity(new TableWrite(TableWriteKind.Replace, "t", "pk", "rk", Encoding.UTF8.GetBytes(body)));

        Assert.Equal(("pk", "rk"), (entity.PartitionKey, entity.RowKey));
        Assert.Equal(new byte[] { 0, 1, 2 }, entity["Data"]);
        Assert.Equal(9007199254740993L, entity["Big"]);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567), entity["When"]);
        Assert.Equal(Guid.Parse("3f2504e0-4f89-11d3-9a0c-0305e82c3301"), entity["Id"]);
        Assert.Equal("hello", entity["Text"]);
        Assert.Equal(42, entity["Small"]);
        Assert.Equal(0.5, entity["Ratio"]);
        Assert.Equal(true, entity["Flag"]);
        Assert.False(entity.ContainsKey("Nothing"));
        Assert.False(entity.ContainsKey("Timestamp"));
        Assert.False(entity.ContainsKey("Data@odata.type"));
    }
}
