namespace OrleansKms.Gateway.Cost;

/// <summary>
/// Computes a <see cref="Bill"/> from durable facts: each key's creation, deletion schedule, purge and rotations
/// (storage), and the metered request counts (requests). Pure: the same facts give the same bill.
/// <list type="bullet">
/// <item>A customer managed key is charged for every clock hour it exists in, from its creation to the start of its
/// deletion waiting period (or its purge); an hour begun counts whole. AWS managed keys are free.</item>
/// <item>Its first <see cref="PriceTable.RotationsCharged"/> rotations each add a key-month price from the rotation on.</item>
/// <item>A key-month is the calendar month's hours (720 in a 30-day month).</item>
/// <item>The free tier covers the month's first requests of the free classes, in hour order across Regions.</item>
/// </list>
/// </summary>
public static class BillCalculator
{
    public const string KeyStorage = "Key storage", RotatedMaterial = "Rotated key material", StorageGroup = "(key storage)";

    public static Bill Compute(PriceTable prices, string accountId, int year, int month, DateTimeOffset now,
        IReadOnlyList<BillRegionInput> regions, Func<string, string?>? foreignKeySpec = null, string? shownRegion = null, string? by = null)
    {
        var start = new DateTimeOffset(year, month, 1, 0, 0, 0, TimeSpan.Zero);
        var end = start.AddMonths(1);
        var hoursInMonth = (decimal)(end - start).TotalHours;
        var cut = now < end ? now : end;
        var specs = regions.SelectMany(r => r.Keys).GroupBy(k => k.KeyArn).ToDictionary(g => g.Key, g => g.First().KeySpec, StringComparer.Ordinal);
        string? SpecOf(string arn) => arn.Length == 0 ? null : specs.TryGetValue(arn, out var s) ? s : foreignKeySpec?.Invoke(arn);

        var storage = regions.SelectMany(r => r.Keys.Select(k => (r.Region, Key: k, Hours: StorageHours(k, start, cut, prices.RotationsCharged)))).ToList();
        var requests = Requests(prices, regions, SpecOf);
        var shown = (string region) => shownRegion is null || region == shownRegion;

        var lines = new List<BillLine>();
        foreach (var region in regions.Select(r => r.Region).Where(shown).Order(StringComparer.Ordinal))
        {
            var keys = storage.Where(s => s.Region == region).ToList();
            var keyHours = keys.Sum(k => (decimal)k.Hours.Key);
            var rotationHours = keys.Sum(k => (decimal)k.Hours.Rotations);
            if (keyHours > 0) lines.Add(StorageLine(region, KeyStorage, keyHours, hoursInMonth, prices.KeyMonth));
            if (rotationHours > 0) lines.Add(StorageLine(region, RotatedMaterial, rotationHours, hoursInMonth, prices.RotationExtraMonth));
            foreach (var cls in prices.RequestClasses)
            {
                var rows = requests.Where(q => q.Region == region && q.Class == cls).ToList();
                if (rows.Count == 0) continue;
                long count = rows.Sum(q => q.Count), free = rows.Sum(q => q.Free);
                lines.Add(new BillLine(region, $"Requests ({cls.Name})", cls.Name, count, "requests", cls.Price, free, Cents((count - free) * cls.Price / prices.RequestUnit)));
            }
        }

        return new Bill
        {
            AccountId = accountId,
            Month = $"{year:D4}-{month:D2}",
            AsOf = now,
            Final = now >= end,
            Currency = prices.Currency,
            PriceTableDate = prices.Date,
            PriceSources = prices.Sources,
            Regions = [.. regions.Select(r => r.Region).Where(shown).Order(StringComparer.Ordinal)],
            Lines = lines,
            FreeTierRequests = prices.FreeTierRequests,
            FreeTierUsed = requests.Sum(q => q.Free),
            Total = lines.Sum(l => l.Amount),
            By = by,
            Breakdown = by is null ? null : Breakdown(by, prices, hoursInMonth, storage.Where(s => shown(s.Region)), requests.Where(q => shown(q.Region))),
        };
    }

    /// <summary>The clock hours of the month (to <paramref name="cut"/>) a key was charged, and those of its charged rotations.</summary>
    public static (long Key, long Rotations) StorageHours(KeyBillingFacts key, DateTimeOffset monthStart, DateTimeOffset cut, int rotationsCharged)
    {
        if (key.KeyManager != "CUSTOMER") return (0, 0);
        var stop = Min(cut, Min(key.DeletionScheduledAt ?? DateTimeOffset.MaxValue, key.DeletedAt ?? DateTimeOffset.MaxValue));
        var rotations = key.RotationDates.Order().Take(rotationsCharged).Sum(r => Hours(Max(r, monthStart), stop));
        return (Hours(Max(key.CreationDate, monthStart), stop), rotations);
    }

    /// <summary>Clock hours touched by [from, to): an hour begun counts whole.</summary>
    public static long Hours(DateTimeOffset from, DateTimeOffset to)
    {
        if (to <= from) return 0;
        var first = from.UtcTicks - from.UtcTicks % TimeSpan.TicksPerHour;
        var last = to.UtcTicks + (TimeSpan.TicksPerHour - to.UtcTicks % TimeSpan.TicksPerHour) % TimeSpan.TicksPerHour;
        return (last - first) / TimeSpan.TicksPerHour;
    }

    private static BillLine StorageLine(string region, string item, decimal hours, decimal hoursInMonth, decimal price) =>
        new(region, item, null, Math.Round(hours / hoursInMonth, 6), "key-months", price, 0, Cents(hours * price / hoursInMonth));

    private static decimal Cents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private sealed record PricedRequests(string Region, DateTimeOffset Hour, string KeyArn, string Operation, string Principal, RequestClass Class, long Count)
    {
        public long Free { get; set; }
    }

    /// <summary>The month's requests summed over writers, priced, with the free tier given to the earliest free-class requests.</summary>
    private static List<PricedRequests> Requests(PriceTable prices, IReadOnlyList<BillRegionInput> regions, Func<string, string?> specOf)
    {
        var rows = regions
            .SelectMany(r => r.Usage.Select(u => u with { Region = r.Region, Writer = "" }))
            .GroupBy(u => u with { Count = 0 })
            .Select(g =>
            {
                var u = g.Key;
                var keySpec = specOf(u.KeyArn) ?? (u.Operation == "GetPublicKey" && u.Detail.Length > 0 ? u.Detail : null);
                var cls = prices.Class(PriceClasses.Of(u.Operation, keySpec, u.Detail));
                return new PricedRequests(u.Region, u.Hour, u.KeyArn, u.Operation, u.Principal, cls, g.Sum(x => x.Count));
            })
            .OrderBy(q => q.Hour).ThenBy(q => q.Region, StringComparer.Ordinal).ThenBy(q => q.KeyArn, StringComparer.Ordinal)
            .ThenBy(q => q.Operation, StringComparer.Ordinal).ThenBy(q => q.Principal, StringComparer.Ordinal)
            .ToList();
        var left = prices.FreeTierRequests;
        foreach (var q in rows.Where(q => q.Class.FreeTier))
        {
            q.Free = Math.Min(left, q.Count);
            left -= q.Free;
        }

        return rows;
    }

    private static List<BillGroup> Breakdown(string by, PriceTable prices, decimal hoursInMonth,
        IEnumerable<(string Region, KeyBillingFacts Key, (long Key, long Rotations) Hours)> storage, IEnumerable<PricedRequests> requests)
    {
        var groups = new Dictionary<string, (decimal KeyMonths, long Requests, long Free, decimal Amount)>(StringComparer.Ordinal);
        void Add(string group, decimal keyMonths, long count, long free, decimal amount)
        {
            var g = groups.GetValueOrDefault(group);
            groups[group] = (g.KeyMonths + keyMonths, g.Requests + count, g.Free + free, g.Amount + amount);
        }

        foreach (var (_, key, hours) in storage)
        {
            if (hours.Key + hours.Rotations == 0) continue;
            var amount = (hours.Key * prices.KeyMonth + hours.Rotations * prices.RotationExtraMonth) / hoursInMonth;
            Add(by == "key" ? key.KeyArn : StorageGroup, (hours.Key + hours.Rotations) / hoursInMonth, 0, 0, amount);
        }

        foreach (var q in requests)
        {
            var group = by switch { "key" => q.KeyArn.Length > 0 ? q.KeyArn : "(no key)", "operation" => q.Operation, _ => q.Principal };
            Add(group, 0, q.Count, q.Free, (q.Count - q.Free) * q.Class.Price / prices.RequestUnit);
        }

        return [.. groups
            .Select(g => new BillGroup(g.Key, Math.Round(g.Value.KeyMonths, 6), g.Value.Requests, g.Value.Free, Cents(g.Value.Amount)))
            .OrderByDescending(g => g.Amount).ThenBy(g => g.Group, StringComparer.Ordinal)];
    }
}
