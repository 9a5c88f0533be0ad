using System.Text;
using OrleansKms.Hosting.Durability;

namespace OrleansKms.UnitTests.Hosting;

public sealed class TableWriteTests
{
    private static readonly TableWrite[] Writes =
    [
        new(TableWriteKind.CreateTable, "kmskeys", "", "", []),
        new(TableWriteKind.Replace, "kmskeys", "svc_key/arn:aws:kms:us-east-1:1:key/a'b", "key", Encoding.UTF8.GetBytes("""{"Data":"AAEC","Data@odata.type":"Edm.Binary"}""")),
        new(TableWriteKind.Merge, "OrleansReminders", "pk", "rk ü", Encoding.UTF8.GetBytes("{}")),
        new(TableWriteKind.Delete, "kmskeys", "pk", "rk", []),
    ];

    private static byte[] Frames(IEnumerable<TableWrite> writes) => writes.SelectMany(w => w.ToFrame()).ToArray();

    [Fact]
    public void Frames_read_back_as_the_writes_they_were_made_from()
    {
        var read = TableWrite.ReadFrames(new MemoryStream(Frames(Writes))).ToList();

        Assert.Equal(Writes.Length, read.Count);
        for (var i = 0; i < Writes.Length; i++)
        {
            Assert.Equal((Writes[i].Kind, Writes[i].Table, Writes[i].PartitionKey, Writes[i].RowKey), (read[i].Kind, read[i].Table, read[i].PartitionKey, read[i].RowKey));
            Assert.Equal(Writes[i].Body, read[i].Body);
        }
    }

    [Fact]
    public void A_frame_cut_short_at_any_byte_ends_the_stream_after_the_whole_frames_before_it()
    {
        var bytes = Frames(Writes);
        var lastStart = bytes.Length - Writes[^1].ToFrame().Length;
        for (var cut = lastStart; cut < bytes.Length; cut++)
            Assert.Equal(Writes.Length - 1, TableWrite.ReadFrames(new MemoryStream(bytes[..cut])).Count());
    }

    [Fact]
    public void A_damaged_frame_ends_the_stream_there()
    {
        var first = Writes[0].ToFrame().Length;
        var second = Writes[1].ToFrame().Length;
        for (var at = first; at < first + second; at++)
        {
            var bytes = Frames(Writes);
            bytes[at] ^= 0x40;
            Assert.Single(TableWrite.ReadFrames(new MemoryStream(bytes)));
        }
    }
}
