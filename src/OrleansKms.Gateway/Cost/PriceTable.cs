using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansKms.Gateway.Cost;

/// <summary>
/// AWS KMS's prices, read from the one data file <c>Cost/aws-kms-prices.json</c> (embedded), which states the date it
/// was written and its sources. Amounts are USD.
/// </summary>
public sealed record PriceTable
{
    public required string Date { get; init; }

    public string Currency { get; init; } = "USD";

    public IReadOnlyList<string> Sources { get; init; } = [];

    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>One customer managed key for a whole month.</summary>
    public required decimal KeyMonth { get; init; }

    /// <summary>Each charged rotation's extra material for a whole month.</summary>
    public required decimal RotationExtraMonth { get; init; }

    /// <summary>How many rotations of a key are charged (the first and the second).</summary>
    public required int RotationsCharged { get; init; }

    public required long FreeTierRequests { get; init; }

    /// <summary>Request prices are per this many requests (10,000).</summary>
    public required long RequestUnit { get; init; }

    public required IReadOnlyList<RequestClass> RequestClasses { get; init; }

    /// <summary>The price class named <paramref name="name"/>.</summary>
    public RequestClass Class(string name) =>
        RequestClasses.FirstOrDefault(c => c.Name == name) ?? throw new InvalidOperationException($"The price table has no request class '{name}'.");

    private static readonly Lazy<PriceTable> Embedded = new(() =>
    {
        using var stream = typeof(PriceTable).Assembly.GetManifestResourceStream("OrleansKms.Gateway.Cost.aws-kms-prices.json")
            ?? throw new InvalidOperationException("The embedded price table is missing.");
        return Parse(stream);
    });

    /// <summary>The price table this build carries.</summary>
    public static PriceTable Aws => Embedded.Value;

    public static PriceTable Parse(Stream json)
    {
        var table = JsonSerializer.Deserialize(json, CostJsonContext.Default.PriceTable) ?? throw new InvalidDataException("The price table is empty.");
        foreach (var name in PriceClasses.All) table.Class(name);
        return table;
    }
}

/// <summary>A price class of requests: its price per <see cref="PriceTable.RequestUnit"/> requests, and whether the free tier covers it.</summary>
public sealed record RequestClass(string Name, string Description, decimal Price, bool FreeTier);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(PriceTable))]
[JsonSerializable(typeof(CostRequest))]
[JsonSerializable(typeof(Bill))]
internal sealed partial class CostJsonContext : JsonSerializerContext;
