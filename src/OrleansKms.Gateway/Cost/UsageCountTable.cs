namespace OrleansKms.Gateway.Cost;

/// <summary>
/// What one usage row counts, without its writer: the account, Region, hour (UTC ticks), key ARN, operation, principal
/// and detail of <see cref="UsageRow"/>.
/// </summary>
public readonly record struct UsageDimensions(string Region, string AccountId, long HourTicks, string KeyArn, string Operation, string Principal, string Detail);

/// <summary>
/// Usage counts kept small, for the memory usage store (every row) and the usage meter (the counts it wrote of the
/// current hours). Rows are grouped by account, Region, hour and writer, and within a group a row is four numbers
/// (key ARN, operation, principal, detail: each distinct text is held once and named by its number) and its count,
/// 32 bytes an entry. Not thread-safe.
/// </summary>
public sealed class UsageCountTable
{
    private Dictionary<Group, Dictionary<Dimensions, long>> _groups = [];
    private Dictionary<string, int> _numbers = new(StringComparer.Ordinal);
    private List<string> _texts = [];

    /// <summary>Rows stored.</summary>
    public int Count => _groups.Values.Sum(g => g.Count);

    /// <summary>Distinct texts held (each once).</summary>
    public int Texts => _texts.Count;

    /// <summary>Stores the count of the writer's row of <paramref name="d"/>, replacing the row's earlier count.</summary>
    public void Set(string writer, in UsageDimensions d, long count)
    {
        var group = new Group(Number(d.Region), Number(d.AccountId), d.HourTicks, Number(writer));
        if (!_groups.TryGetValue(group, out var counts)) _groups.Add(group, counts = []);
        counts[new Dimensions(Number(d.KeyArn), Number(d.Operation), Number(d.Principal), Number(d.Detail))] = count;
    }

    /// <summary>The count of the writer's row of <paramref name="d"/>; false when there is no such row. Adds no text.</summary>
    public bool TryGet(string writer, in UsageDimensions d, out long count)
    {
        count = 0;
        return Known(d.Region, out var region) && Known(d.AccountId, out var account) && Known(writer, out var w)
            && _groups.TryGetValue(new Group(region, account, d.HourTicks, w), out var counts)
            && Known(d.KeyArn, out var key) && Known(d.Operation, out var operation) && Known(d.Principal, out var principal)
            && Known(d.Detail, out var detail)
            && counts.TryGetValue(new Dimensions(key, operation, principal, detail), out count);
    }

    /// <summary>The rows of one account and Region whose hour is in the month (UTC).</summary>
    public IEnumerable<UsageRow> Rows(string region, string accountId, int year, int month) =>
        _groups
            .Select(g => (Group: g.Key, Hour: new DateTimeOffset(g.Key.HourTicks, TimeSpan.Zero), Counts: g.Value))
            .Where(g => _texts[g.Group.Region] == region && _texts[g.Group.Account] == accountId && g.Hour.Year == year && g.Hour.Month == month)
            .SelectMany(g => g.Counts.Select(c => new UsageRow(region, accountId, g.Hour, _texts[g.Group.Writer], _texts[c.Key.Key],
                _texts[c.Key.Operation], _texts[c.Key.Principal], _texts[c.Key.Detail], c.Value)));

    /// <summary>Removes the rows of hours before <paramref name="hourTicks"/>, and the texts no row left uses.</summary>
    public void RemoveHoursBefore(long hourTicks)
    {
        if (!_groups.Keys.Any(g => g.HourTicks < hourTicks)) return;
        // Rebuilt rather than edited: the texts are renumbered, so the rows left name their texts by the new numbers.
        var old = (Groups: _groups, Texts: _texts);
        (_groups, _numbers, _texts) = ([], new(StringComparer.Ordinal), []);
        foreach (var (g, counts) in old.Groups)
        {
            if (g.HourTicks < hourTicks) continue;
            var kept = new Dictionary<Dimensions, long>(counts.Count);
            foreach (var (d, count) in counts)
                kept.Add(new Dimensions(Number(old.Texts[d.Key]), Number(old.Texts[d.Operation]), Number(old.Texts[d.Principal]), Number(old.Texts[d.Detail])), count);
            _groups.Add(new Group(Number(old.Texts[g.Region]), Number(old.Texts[g.Account]), g.HourTicks, Number(old.Texts[g.Writer])), kept);
        }
    }

    private bool Known(string text, out int number) => _numbers.TryGetValue(text, out number);

    private int Number(string text)
    {
        if (_numbers.TryGetValue(text, out var known)) return known;
        _numbers.Add(text, _texts.Count);
        _texts.Add(text);
        return _texts.Count - 1;
    }

    /// <summary>The rows of one account, Region, hour (UTC ticks) and writer; each a number of <see cref="_texts"/>.</summary>
    private readonly record struct Group(int Region, int Account, long HourTicks, int Writer);

    /// <summary>A row's identity within its group; each a number of <see cref="_texts"/>.</summary>
    private readonly record struct Dimensions(int Key, int Operation, int Principal, int Detail);
}
