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

/// <summary>The memory store (<c>--storage memory</c>): volatile, as the keys are.</summary>
public sealed class MemoryUsageStore : IUsageStore
{
    private readonly Dictionary<(string Region, string Account, DateTimeOffset Hour, string Writer, string Key, string Operation, string Principal, string Detail), UsageRow> _rows = [];
    private readonly Lock _lock = new();

    public Task WriteAsync(IReadOnlyList<UsageRow> rows, CancellationToken cancel)
    {
        lock (_lock)
        {
            foreach (var r in rows) _rows[(r.Region, r.AccountId, r.Hour, r.Writer, r.KeyArn, r.Operation, r.Principal, r.Detail)] = r;
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<UsageRow>> ReadAsync(string region, string accountId, int year, int month, CancellationToken cancel)
    {
        lock (_lock)
        {
            return Task.FromResult<IReadOnlyList<UsageRow>>(
                [.. _rows.Values.Where(r => r.Region == region && r.AccountId == accountId && r.Hour.Year == year && r.Hour.Month == month)]);
        }
    }
}
