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
/// A usage store that answers the count of one of its rows from memory, at no cost (the memory store). The usage meter
/// then keeps no copy of the counts it wrote: it asks the store when a retired counter's row is counted again.
/// </summary>
public interface IUsageCountLookup
{
    /// <summary>The count stored in the writer's row of <paramref name="dimensions"/>, or 0 when there is no such row.</summary>
    long CountOf(string writer, in UsageDimensions dimensions);
}

/// <summary>
/// The memory store (<c>--storage memory</c>): volatile, as the keys are. It is the database of that mode, so it keeps
/// each row compact (<see cref="UsageCountTable"/>); <see cref="UsageRow"/>s are made only when a bill reads them.
/// </summary>
public sealed class MemoryUsageStore : IUsageStore, IUsageCountLookup
{
    private readonly UsageCountTable _table = new();
    private readonly Lock _lock = new();

    /// <summary>Rows stored.</summary>
    public int Count
    {
        get
        {
            lock (_lock) return _table.Count;
        }
    }

    public Task WriteAsync(IReadOnlyList<UsageRow> rows, CancellationToken cancel)
    {
        lock (_lock)
        {
            foreach (var r in rows)
                _table.Set(r.Writer, new UsageDimensions(r.Region, r.AccountId, r.Hour.UtcTicks, r.KeyArn, r.Operation, r.Principal, r.Detail), r.Count);
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<UsageRow>> ReadAsync(string region, string accountId, int year, int month, CancellationToken cancel)
    {
        lock (_lock) return Task.FromResult<IReadOnlyList<UsageRow>>([.. _table.Rows(region, accountId, year, month)]);
    }

    public long CountOf(string writer, in UsageDimensions dimensions)
    {
        lock (_lock) return _table.TryGet(writer, dimensions, out var count) ? count : 0;
    }
}
