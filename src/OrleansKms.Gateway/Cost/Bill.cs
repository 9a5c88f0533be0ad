namespace OrleansKms.Gateway.Cost;

/// <summary>One month's bill of one account (<c>kms cost</c>): storage and request lines per Region, the free tier, the total.</summary>
public sealed record Bill
{
    public required string AccountId { get; init; }

    /// <summary>yyyy-MM.</summary>
    public required string Month { get; init; }

    /// <summary>The time the bill was computed; before the month's end the bill is month-to-date.</summary>
    public required DateTimeOffset AsOf { get; init; }

    /// <summary>Whether the month is over (the bill no longer changes, but for counts a crashed gateway never wrote).</summary>
    public required bool Final { get; init; }

    public required string Currency { get; init; }

    public required string PriceTableDate { get; init; }

    public required IReadOnlyList<string> PriceSources { get; init; }

    public required IReadOnlyList<string> Regions { get; init; }

    public required IReadOnlyList<BillLine> Lines { get; init; }

    /// <summary>The month's free requests (account-wide, all Regions) and how many of them were used.</summary>
    public required long FreeTierRequests { get; init; }

    public required long FreeTierUsed { get; init; }

    /// <summary>The sum of the lines' amounts (each rounded to cents).</summary>
    public required decimal Total { get; init; }

    /// <summary>key, operation or principal when a breakdown was asked for.</summary>
    public string? By { get; init; }

    public IReadOnlyList<BillGroup>? Breakdown { get; init; }
}

/// <summary>
/// A line of the bill. Storage lines: <see cref="Quantity"/> in key-months (hours / hours of the month), priced per
/// key-month. Request lines: <see cref="Quantity"/> requests, of which <see cref="FreeRequests"/> the free tier covered,
/// priced per 10,000. <see cref="Amount"/> is rounded to cents.
/// </summary>
public sealed record BillLine(string Region, string Item, string? PriceClass, decimal Quantity, string Unit, decimal UnitPrice, long FreeRequests, decimal Amount);

/// <summary>One group of a breakdown (a key, an operation or a principal): its share of the bill, rounded to cents.</summary>
public sealed record BillGroup(string Group, decimal KeyMonths, long Requests, long FreeRequests, decimal Amount);

/// <summary>What one Region contributes to a bill: its keys' billing facts (live keys and tombstones) and its metered requests.</summary>
public sealed record BillRegionInput(string Region, IReadOnlyList<KeyBillingFacts> Keys, IReadOnlyList<UsageRow> Usage);
