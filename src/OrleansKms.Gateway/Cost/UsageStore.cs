namespace OrleansKms.Gateway.Cost;

/// <summary>
/// One metered count as stored: the requests one gateway process (<see cref="Writer"/>) answered in one hour for one
/// account, Region, key, operation and principal. <see cref="Count"/> is that writer's running total for the row, not
/// an increment: writing a row again (a retried flush) replaces it with the same or a larger number, so a retry never
/// counts twice, and two gateway processes never write the same row. A bill adds the rows of every writer.
/// <see cref="Detail"/> is what else prices the request: the KeyPairSpec of a GenerateDataKeyPair, the KeySpec
/// GetPublicKey answered; else empty.
/// </summary>
public sealed record UsageRow(
    string Region,
    string AccountId,
    DateTimeOffset Hour,
    string Writer,
    string KeyArn,
    string Operation,
    string Principal,
    string Detail,
    long Count);

/// <summary>Where metered request counts are kept: the Region's storage (Azure Table <c>kmsusage*</c>) or memory.</summary>
public interface IUsageStore
{
    /// <summary>Stores each row, replacing the row of the same writer, hour and dimensions. Safe to retry.</summary>
    Task WriteAsync(IReadOnlyList<UsageRow> rows, CancellationToken cancel);

    /// <summary>Every row of one account, Region and month (UTC).</summary>
    Task<IReadOnlyList<UsageRow>> ReadAsync(string region, string accountId, int year, int month, CancellationToken cancel);
}

/// <summary>
/// The memory store (<c>--storage memory</c>): volatile, as the keys are. It is the database of that mode, so it keeps
/// each row compact: rows are grouped by account, Region, hour and writer, and within a group a row is four numbers
/// (key ARN, operation, principal, detail: each distinct text is held once and named by its number) and the count.
/// <see cref="UsageRow"/>s are made only when a bill reads them.
/// </summary>
public sealed class MemoryUsageStore : IUsageStore
{
    private readonly Dictionary<Group, Dictionary<Dimensions, long>> _groups = [];
    private readonly Dictionary<string, int> _textNumbers = new(StringComparer.Ordinal);
    private readonly List<string> _texts = [];
    private readonly Lock _lock = new();

    /// <summary>Rows stored.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _groups.Values.Sum(g => g.Count);
        }
    }

    public Task WriteAsync(IReadOnlyList<UsageRow> rows, CancellationToken cancel)
    {
        lock (_lock)
        {
            foreach (var r in rows)
            {
                var group = new Group(Number(r.Region), Number(r.AccountId), r.Hour.UtcTicks, Number(r.Writer));
                if (!_groups.TryGetValue(group, out var counts)) _groups.Add(group, counts = []);
                counts[new Dimensions(Number(r.KeyArn), Number(r.Operation), Number(r.Principal), Number(r.Detail))] = r.Count;
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<UsageRow>> ReadAsync(string region, string accountId, int year, int month, CancellationToken cancel)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<UsageRow>>(
            [
                .. _groups
                    .Select(g => (Group: g.Key, Hour: new DateTimeOffset(g.Key.HourTicks, TimeSpan.Zero), Counts: g.Value))
                    .Where(g => _texts[g.Group.Region] == region && _texts[g.Group.Account] == accountId && g.Hour.Year == year && g.Hour.Month == month)
                    .SelectMany(g => g.Counts.Select(c => new UsageRow(region, accountId, g.Hour, _texts[g.Group.Writer], _texts[c.Key.Key],
                        _texts[c.Key.Operation], _texts[c.Key.Principal], _texts[c.Key.Detail], c.Value))),
            ]);
        }
    }

    private int Number(string text)
    {
        if (_textNumbers.TryGetValue(text, out var known)) return known;
        _textNumbers.Add(text, _texts.Count);
        _texts.Add(text);
        return _texts.Count - 1;
    }

    /// <summary>The rows of one account, Region, hour (UTC ticks) and writer; each a number of <see cref="_texts"/>.</summary>
    private readonly record struct Group(int Region, int Account, long HourTicks, int Writer);

    /// <summary>A row's identity within its group; each a number of <see cref="_texts"/>.</summary>
    private readonly record struct Dimensions(int Key, int Operation, int Principal, int Detail);
}
