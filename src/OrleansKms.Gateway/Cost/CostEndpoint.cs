using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Auth;
using OrleansKms.Gateway.Protocol;
using OrleansKms.Gateway.Regions;

namespace OrleansKms.Gateway.Cost;

/// <summary>The body of <c>POST /_kms/cost</c>: month (yyyy-MM, default this month), region (default all), by (key|operation|principal).</summary>
public sealed record CostRequest
{
    public string? Month { get; init; }

    public string? Region { get; init; }

    public string? By { get; init; }
}

/// <summary>
/// <c>POST /_kms/cost</c>: the month's bill of the caller's account (<see cref="Bill"/>, JSON). SigV4-signed like a
/// KMS call; only an account's root may ask, and it sees its own account's bill only. This process's pending counts
/// are written first; other gateway processes' counts are as old as their last flush.
/// "All Regions" are the Regions running in this process and the home Region (docs/cost.md).
/// </summary>
public sealed class CostEndpoint(SigV4Verifier verifier, UsageMeter meter, IKmsRegions regions, IOptions<KmsGatewayOptions> options,
    IOptions<KmsCostOptions> cost, IKmsRegionControl? control = null, TimeProvider? clock = null, ILogger<CostEndpoint>? logger = null)
{
    public const string Path = "/_kms/cost";
    private static readonly string[] Breakdowns = ["key", "operation", "principal"];

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (buffer.Length > options.Value.MaxRequestBodyBytes) throw new KmsException(KmsErrorCode.ValidationException, "The request body is too large.");
            var body = buffer.ToArray();
            var identity = verifier.Verify(context.Request, body, out _);
            if (!identity.PrincipalArn.EndsWith(":root", StringComparison.Ordinal))
                throw new KmsException(KmsErrorCode.AccessDeniedException, $"{identity.PrincipalArn} is not authorized to view the bill: only the account root may.");
            var bill = await BillAsync(identity.AccountId, Parse(body), context.RequestAborted);
            await WriteAsync(context.Response, StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(bill, CostJsonContext.Default.Bill));
        }
        catch (KmsException e)
        {
            var status = e.Code == KmsErrorCode.AccessDeniedException ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
            await WriteAsync(context.Response, status, KmsCall.Write(ErrorResponse.Of(e.Code.ToString(), e.Message), KmsJsonContext.Default.ErrorResponse));
        }
        catch (RegionUnavailableException e)
        {
            await WriteAsync(context.Response, StatusCodes.Status503ServiceUnavailable,
                KmsCall.Write(ErrorResponse.Of(nameof(KmsErrorCode.DependencyTimeoutException), e.Message), KmsJsonContext.Default.ErrorResponse));
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            // Storage unreachable, a grain call failed: the caller learns it failed, the log says why.
            logger?.LogError(e, "The bill could not be computed (trace {TraceId})", context.TraceIdentifier);
            await WriteAsync(context.Response, StatusCodes.Status500InternalServerError, KmsCall.Write(
                ErrorResponse.Of(nameof(KmsErrorCode.KMSInternalException), $"The bill could not be computed; see the service log, trace {context.TraceIdentifier}."),
                KmsJsonContext.Default.ErrorResponse));
        }
    }

    /// <summary>The bill of <paramref name="accountId"/> for the request's month, Region and breakdown.</summary>
    public async Task<Bill> BillAsync(string accountId, CostRequest request, CancellationToken cancel)
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var (year, month) = Month(request.Month, now);
        var by = string.IsNullOrWhiteSpace(request.By) ? null
            : Breakdowns.Contains(request.By) ? request.By
            : throw new KmsException(KmsErrorCode.ValidationException, $"by must be key, operation or principal, not '{request.By}'.");
        var shown = string.IsNullOrWhiteSpace(request.Region) ? null : request.Region;
        if (shown is not null && !regions.Serves(shown))
            throw new KmsException(KmsErrorCode.ValidationException, $"Region '{shown}' is not served here.");

        await meter.FlushAsync(cancel);
        var inputs = new List<BillRegionInput>();
        foreach (var region in Candidates(shown))
        {
            var usage = await meter.Store.ReadAsync(region, accountId, year, month, cancel);
            var keys = shown is null || region == shown ? await KeysAsync(region, accountId, year, month, now, cancel) : [];
            if (keys.Count > 0 || usage.Count > 0 || region == shown) inputs.Add(new BillRegionInput(region, keys, usage));
        }

        var foreign = await ForeignSpecsAsync(inputs, cancel);
        return BillCalculator.Compute(cost.Value.Prices ?? PriceTable.Aws, accountId, year, month, now, inputs, arn => foreign.GetValueOrDefault(arn), shown, by);
    }

    /// <summary>Regions whose data can be on the bill: the running ones, the home Region, the one asked for.</summary>
    private IEnumerable<string> Candidates(string? shown)
    {
        var running = control?.Status().Where(s => s.State == "running").Select(s => s.Region) ?? regions.Served;
        return running.Append(regions.Served[0]).Concat(shown is null ? [] : [shown]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
    }

    /// <summary>Billing facts of the account's keys in the Region: the live ones (the catalog) and those purged since the month began.</summary>
    private async Task<IReadOnlyList<KeyBillingFacts>> KeysAsync(string regionName, string accountId, int year, int month, DateTimeOffset now, CancellationToken cancel)
    {
        var region = await regions.GetAsync(regionName, cancel);
        var facts = new List<KeyBillingFacts>();
        var catalog = region.Grains.GetGrain<IKeyCatalogGrain>($"{accountId}/{regionName}");
        for (string? marker = null; ;)
        {
            var page = await catalog.ListAsync(1000, marker);
            var described = await Task.WhenAll(page.KeyIds.Select(id =>
                region.Grains.GetGrain<IKeyGrain>(new KeyArn(regionName, accountId, id).Value).GetBillingFactsAsync()));
            facts.AddRange(described.OfType<KeyBillingFacts>());
            if (page.NextMarker is null) break;
            marker = page.NextMarker;
        }

        for (var m = new DateTime(year, month, 1); m <= now.UtcDateTime; m = m.AddMonths(1))
            facts.AddRange(await region.Grains.GetGrain<IKeyTombstoneGrain>(KeyTombstones.GrainKey(accountId, regionName, m.Year, m.Month)).ListAsync());
        return [.. facts.GroupBy(f => f.KeyArn, StringComparer.Ordinal).Select(g => g.OrderBy(f => f.DeletedAt.HasValue).Last())];
    }

    /// <summary>Key specs of keys the account used but does not own (another account's keys), from their Regions.</summary>
    private async Task<Dictionary<string, string>> ForeignSpecsAsync(List<BillRegionInput> inputs, CancellationToken cancel)
    {
        var own = inputs.SelectMany(i => i.Keys).Select(k => k.KeyArn).ToHashSet(StringComparer.Ordinal);
        var specs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arn in inputs.SelectMany(i => i.Usage).Select(u => u.KeyArn).Where(a => a.Length > 0 && !own.Contains(a)).Distinct())
        {
            if (!KeyArn.TryParse(arn, out var parsed) || !regions.Serves(parsed.Value.Region)) continue;
            try
            {
                var region = await regions.GetAsync(parsed.Value.Region, cancel);
                if (await region.Grains.GetGrain<IKeyGrain>(arn).GetBillingFactsAsync() is { } facts) specs[arn] = facts.KeySpec;
            }
            catch (RegionUnavailableException)
            {
                // Priced by its operation alone (PriceClasses.Of with no key spec).
            }
        }

        return specs;
    }

    private static (int Year, int Month) Month(string? text, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text)) return (now.UtcDateTime.Year, now.UtcDateTime.Month);
        if (DateTime.TryParseExact(text, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.None, out var m)) return (m.Year, m.Month);
        throw new KmsException(KmsErrorCode.ValidationException, $"month '{text}' is not a month in the form yyyy-MM (for example 2026-11).");
    }

    private static CostRequest Parse(byte[] body)
    {
        if (body.Length == 0) return new CostRequest();
        try
        {
            return JsonSerializer.Deserialize(body, CostJsonContext.Default.CostRequest) ?? new CostRequest();
        }
        catch (JsonException e)
        {
            throw new KmsException(KmsErrorCode.SerializationException, $"The cost request is not valid JSON: {e.Message}");
        }
    }

    private static async Task WriteAsync(HttpResponse response, int status, byte[] json)
    {
        response.StatusCode = status;
        response.ContentType = "application/json";
        response.ContentLength = json.Length;
        await response.Body.WriteAsync(json);
    }
}
