using OrleansKms.Gateway.Cost;

namespace OrleansKms.UnitTests.Gateway.Cost;

/// <summary>
/// The compact table of usage counts (the memory usage store's rows, the meter's retired counts): a row is found by
/// its writer and dimensions, each text is held once, and removing old hours keeps every other row whole.
/// </summary>
public sealed class UsageCountTableTests
{
    private static readonly long Noon = new DateTimeOffset(2026, 11, 3, 12, 0, 0, TimeSpan.Zero).UtcTicks;
    private const string KeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    private const string Principal = "arn:aws:iam::111122223333:user/alice";
    private readonly UsageCountTable _table = new();

    private static UsageDimensions Row(string operation = "Encrypt", long? hour = null, string key = KeyArn, string detail = "") =>
        new("us-east-1", "111122223333", hour ?? Noon, key, operation, Principal, detail);

    [Fact]
    public void A_row_is_found_by_its_writer_and_every_dimension()
    {
        _table.Set("w1", Row(), 3);
        _table.Set("w1", Row(), 5);
        _table.Set("w2", Row(), 7);
        _table.Set("w1", Row("GenerateDataKeyPair", detail: "RSA_2048"), 1);

        Assert.True(_table.TryGet("w1", Row(), out var count));
        Assert.Equal(5, count);
        Assert.True(_table.TryGet("w2", Row(), out count));
        Assert.Equal(7, count);
        Assert.True(_table.TryGet("w1", Row("GenerateDataKeyPair", detail: "RSA_2048"), out count));
        Assert.Equal(1, count);
        Assert.False(_table.TryGet("w1", Row("GenerateDataKeyPair"), out _));
        Assert.False(_table.TryGet("w1", Row(hour: Noon + TimeSpan.TicksPerHour), out _));
        Assert.False(_table.TryGet("w3", Row(), out _));
        Assert.Equal(3, _table.Count);
    }

    [Fact]
    public void A_look_up_of_a_row_not_there_adds_no_text()
    {
        _table.Set("w1", Row(), 1);
        var texts = _table.Texts;

        Assert.False(_table.TryGet("w1", Row(key: KeyArn.Replace("1234abcd", "5678abcd", StringComparison.Ordinal)), out _));
        Assert.False(_table.TryGet("w9", Row(operation: "Decrypt"), out _));

        Assert.Equal(texts, _table.Texts);
    }

    [Fact]
    public void Each_text_is_held_once_however_many_rows_and_copies_name_it()
    {
        var first = new string(KeyArn.AsSpan());
        var second = new string(KeyArn.AsSpan()); // an equal text in another string, as two requests' answers give
        _table.Set("w1", Row("CreateKey", key: first), 1);
        _table.Set("w1", Row("Encrypt", key: second), 1);
        _table.Set("w1", Row("Encrypt", hour: Noon + TimeSpan.TicksPerHour, key: second), 1);

        // us-east-1, the account, w1, the key, the principal, "", CreateKey, Encrypt
        Assert.Equal(8, _table.Texts);
        var rows = _table.Rows("us-east-1", "111122223333", 2026, 11).ToList();
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Same(first, r.KeyArn));
    }

    [Fact]
    public void Removing_old_hours_keeps_the_other_rows_whole_and_drops_the_texts_only_they_used()
    {
        var next = Noon + TimeSpan.TicksPerHour;
        _table.Set("w1", Row("Encrypt"), 4);
        _table.Set("w1", Row("Sign", key: KeyArn + "-old"), 2);
        _table.Set("w1", Row("GenerateDataKeyPair", hour: next, detail: "RSA_2048"), 3);
        _table.Set("w2", Row("Encrypt", hour: next), 6);

        _table.RemoveHoursBefore(next);

        Assert.False(_table.TryGet("w1", Row("Encrypt"), out _));
        Assert.True(_table.TryGet("w1", Row("GenerateDataKeyPair", hour: next, detail: "RSA_2048"), out var count));
        Assert.Equal(3, count);
        Assert.True(_table.TryGet("w2", Row("Encrypt", hour: next), out count));
        Assert.Equal(6, count);
        Assert.Equal(
            [("w1", "GenerateDataKeyPair", "RSA_2048", 3L), ("w2", "Encrypt", "", 6L)],
            _table.Rows("us-east-1", "111122223333", 2026, 11).OrderBy(r => r.Writer)
                .Select(r => (r.Writer, r.Operation, r.Detail, r.Count)));
        // Region, account, w1, w2, the key, GenerateDataKeyPair, Encrypt, the principal, RSA_2048, "": not Sign, the old key.
        Assert.Equal(10, _table.Texts);
        Assert.Equal(2, _table.Count);
    }

    [Fact]
    public void Rows_are_read_by_account_Region_and_month()
    {
        var december = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
        _table.Set("w1", Row(), 1);
        _table.Set("w1", Row(hour: december), 2);
        _table.Set("w1", Row() with { AccountId = "444455556666" }, 4);
        _table.Set("w1", Row() with { Region = "eu-west-1" }, 8);

        Assert.Equal([1L], _table.Rows("us-east-1", "111122223333", 2026, 11).Select(r => r.Count));
        Assert.Equal([2L], _table.Rows("us-east-1", "111122223333", 2026, 12).Select(r => r.Count));
        Assert.Equal([8L], _table.Rows("eu-west-1", "111122223333", 2026, 11).Select(r => r.Count));
        Assert.Empty(_table.Rows("us-west-2", "111122223333", 2026, 11));
    }
}
