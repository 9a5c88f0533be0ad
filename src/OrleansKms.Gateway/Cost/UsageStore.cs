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
/// each row compact: the dimensions and the count, with every distinct text (a key ARN, a principal) held once however
/// many rows name it; <see cref="UsageRow"/>s are made only when a bill reads them.
/// </summary>
public sealed class MemoryUsageStore : IUsageStore
{
    private readonly Dictionary<Dimensions, long> _counts = [];
    private readonly HashSet<string> _texts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public Task WriteAsync(IReadOnlyList<UsageRow> rows, CancellationToken cancel)
    {
        lock (_lock)
        {
            foreach (var r in rows)
            {
                var dimensions = new Dimensions(Shared(r.Region), Shared(r.AccountId), r.Hour.UtcTicks, Shared(r.Writer), Shared(r.KeyArn),
                    Shared(r.Operation), Shared(r.Principal), Shared(r.Detail));
                _counts[dimensions] = r.Count;
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
                .. _counts
                    .Select(c => (Dimensions: c.Key, Hour: new DateTimeOffset(c.Key.HourTicks, TimeSpan.Zero), Count: c.Value))
                    .Where(c => c.Dimensions.Region == region && c.Dimensions.Account == accountId && c.Hour.Year == year && c.Hour.Month == month)
                    .Select(c => new UsageRow(c.Dimensions.Region, c.Dimensions.Account, c.Hour, c.Dimensions.Writer, c.Dimensions.Key,
                        c.Dimensions.Operation, c.Dimensions.Principal, c.Dimensions.Detail, c.Count)),
            ]);
        }
    }

    private string Shared(string text)
    {
        if (_texts.TryGetValue(text, out var known)) return known;
        _texts.Add(text);
        return text;
    }

    /// <summary>A row's identity; the hour as UTC ticks.</summary>
    private readonly record struct Dimensions(string Region, string Account, long HourTicks, string Writer, string Key, string Operation, string Principal, string Detail);
}
