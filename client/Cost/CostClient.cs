using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using OrleansKms.Cli.Admin;

namespace OrleansKms.Cli.Cost;

/// <summary>What <c>POST /_kms/cost</c> takes.</summary>
internal sealed record CostQuery
{
    public string? Month { get; init; }

    public string? Region { get; init; }

    public string? By { get; init; }
}

/// <summary>Asks the service for the month's bill (<c>POST /_kms/cost</c>, SigV4-signed as an account root).</summary>
internal sealed class CostClient(HttpClient http, ServiceConnection connection, TimeProvider time)
{
    public async Task<JsonObject> BillAsync(CostQuery query, CancellationToken cancel)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(query, CostCliJsonContext.Default.CostQuery);
        return await SignedCall.PostAsync(http, connection, "/_kms/cost", body, time,
            json => json is JsonObject bill && bill["lines"] is JsonArray ? bill : null, cancel);
    }

    public static string Json(JsonObject bill) => bill.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The bill as a table: one row per line, the free tier, the total, then the breakdown if asked.</summary>
    public static string Table(JsonObject bill)
    {
        var text = new StringBuilder();
        var final = bill["final"]?.GetValue<bool>() == true ? "final" : $"to date, as of {bill["asOf"]}";
        text.AppendLine($"AWS KMS bill of account {bill["accountId"]} for {bill["month"]} ({final}); prices of {bill["priceTableDate"]}, {bill["currency"]}");
        text.AppendLine();
        text.AppendLine($"{"REGION",-16}{"ITEM",-34}{"QUANTITY",16}  {"UNIT",-11}{"UNIT PRICE",12}{"FREE",10}{"AMOUNT",12}");
        foreach (var line in bill["lines"]!.AsArray())
        {
            var unit = line!["unit"]!.GetValue<string>();
            var quantity = line["quantity"]!.GetValue<decimal>();
            var shownQuantity = unit == "requests" ? quantity.ToString("N0", CultureInfo.InvariantCulture) : quantity.ToString("0.0000", CultureInfo.InvariantCulture);
            var unitPrice = unit == "requests" ? $"{Money(line["unitPrice"])}/10k" : $"{Money(line["unitPrice"])}/mo";
            var free = unit == "requests" ? line["freeRequests"]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture) : "";
            text.AppendLine($"{line["region"],-16}{line["item"],-34}{shownQuantity,16}  {unit,-11}{unitPrice,12}{free,10}{Money(line["amount"]),12}");
        }

        text.AppendLine();
        text.AppendLine($"Free tier: {bill["freeTierUsed"]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture)} of {bill["freeTierRequests"]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture)} requests used (all Regions).");
        text.AppendLine($"TOTAL {Money(bill["total"])} {bill["currency"]}");
        if (bill["breakdown"] is JsonArray groups)
        {
            text.AppendLine();
            text.AppendLine($"{"BY " + bill["by"]!.GetValue<string>().ToUpperInvariant(),-80}{"KEY-MONTHS",12}{"REQUESTS",12}{"FREE",10}{"AMOUNT",12}");
            foreach (var g in groups)
            {
                text.AppendLine($"{g!["group"],-80}{g["keyMonths"]!.GetValue<decimal>().ToString("0.0000", CultureInfo.InvariantCulture),12}" +
                    $"{g["requests"]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture),12}{g["freeRequests"]!.GetValue<long>().ToString("N0", CultureInfo.InvariantCulture),10}{Money(g["amount"]),12}");
            }
        }

        return text.ToString();
    }

    private static string Money(JsonNode? amount) => "$" + (amount?.GetValue<decimal>() ?? 0).ToString("0.00", CultureInfo.InvariantCulture);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CostQuery))]
internal sealed partial class CostCliJsonContext : JsonSerializerContext;
