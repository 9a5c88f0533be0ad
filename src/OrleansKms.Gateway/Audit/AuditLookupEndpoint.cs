using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Auth;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Audit;

/// <summary>
/// <c>POST /_kms/audit/lookup</c>: CloudTrail's LookupEvents for the audit trail, always on (auditing is a production
/// feature, not part of <c>--dev-admin</c>). SigV4-signed like a KMS call; only an account's root may ask, and it sees
/// its own account's records in the Region of the signature. Body:
/// <c>{"key", "principal", "eventName", "since", "until", "maxResults", "ascending"}</c> (all optional; times ISO 8601;
/// default the last 90 days, 50 records newest first). Answer: CloudTrail's log-file shape, <c>{"Records": [...]}</c>.
/// Pending records are written first, so a lookup sees every request answered before it.
/// </summary>
public sealed class AuditLookupEndpoint(SigV4Verifier verifier, AuditWriter writer, IOptions<KmsGatewayOptions> options, TimeProvider? clock = null)
{
    public const string Path = "/_kms/audit/lookup";
    public const int MaxRecords = 100_000;
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(90);

    public async Task HandleAsync(HttpContext context)
    {
        try
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            if (buffer.Length > options.Value.MaxRequestBodyBytes) throw new KmsException(KmsErrorCode.ValidationException, "The request body is too large.");
            var body = buffer.ToArray();
            var identity = verifier.Verify(context.Request, body, out var region);
            if (!identity.PrincipalArn.EndsWith(":root", StringComparison.Ordinal))
                throw new KmsException(KmsErrorCode.AccessDeniedException, $"{identity.PrincipalArn} is not authorized to look up audit events: only the account root may.");
            var query = Query(Parse(body), region, identity.AccountId);
            await writer.FlushAsync(context.RequestAborted);
            var entries = await writer.Store.LookupAsync(query, context.RequestAborted);
            await WriteAsync(context.Response, StatusCodes.Status200OK, Records(entries));
        }
        catch (KmsException e)
        {
            var status = e.Code == KmsErrorCode.AccessDeniedException ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest;
            await WriteAsync(context.Response, status, KmsCall.Write(ErrorResponse.Of(e.Code.ToString(), e.Message), KmsJsonContext.Default.ErrorResponse));
        }
    }

    /// <summary>CloudTrail's log file: <c>{"Records": [event, ...]}</c>, each event as stored.</summary>
    public static byte[] Records(IEnumerable<AuditEntry> entries)
    {
        var text = new MemoryStream();
        text.Write("{\"Records\":["u8);
        var first = true;
        foreach (var entry in entries)
        {
            if (!first) text.WriteByte((byte)',');
            text.Write(entry.Utf8Json.Span);
            first = false;
        }

        text.Write("]}"u8);
        return text.ToArray();
    }

    private AuditQuery Query(AuditLookupRequest request, string region, string account)
    {
        var until = Time(request.Until, "until") ?? (clock ?? TimeProvider.System).GetUtcNow();
        var since = Time(request.Since, "since") ?? until - DefaultWindow;
        if (since > until) throw new KmsException(KmsErrorCode.ValidationException, "since must not be later than until.");
        var max = request.MaxResults ?? (request.Ascending == true ? MaxRecords : 50);
        if (max is < 1 or > MaxRecords) throw new KmsException(KmsErrorCode.ValidationException, $"maxResults must be between 1 and {MaxRecords}.");
        return new AuditQuery(region, account, since, until)
        {
            Key = Blank(request.Key),
            Principal = Blank(request.Principal),
            EventName = Blank(request.EventName),
            MaxResults = max,
            Ascending = request.Ascending == true,
        };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static DateTimeOffset? Time(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? null
        : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time
        : throw new KmsException(KmsErrorCode.ValidationException, $"{name} '{value}' is not an ISO 8601 time (for example 2026-12-01T06:00:00Z).");

    private static AuditLookupRequest Parse(byte[] body)
    {
        if (body.Length == 0) return new AuditLookupRequest();
        try
        {
            return JsonSerializer.Deserialize(body, AuditJsonContext.Default.AuditLookupRequest) ?? new AuditLookupRequest();
        }
        catch (JsonException e)
        {
            throw new KmsException(KmsErrorCode.SerializationException, $"The lookup request is not valid JSON: {e.Message}");
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

/// <summary>The body of <c>POST /_kms/audit/lookup</c>.</summary>
public sealed record AuditLookupRequest
{
    public string? Key { get; init; }

    public string? Principal { get; init; }

    public string? EventName { get; init; }

    public string? Since { get; init; }

    public string? Until { get; init; }

    public int? MaxResults { get; init; }

    public bool? Ascending { get; init; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(AuditLookupRequest))]
internal sealed partial class AuditJsonContext : JsonSerializerContext;

/// <summary>Adds the audit trail to a gateway: every answered KMS request recorded, and the lookup endpoint.</summary>
public static class KmsAuditExtensions
{
    /// <summary>Registers the audit writer (observer and hosted writer) over <paramref name="store"/>; idempotent.</summary>
    public static IServiceCollection AddKmsAudit(this IServiceCollection services, Func<IServiceProvider, IAuditStore> store, Action<KmsAuditOptions>? configure = null)
    {
        var builder = services.AddOptions<KmsAuditOptions>();
        if (configure is not null) builder.Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(AuditWriter))) return services;
        builder
            .Validate(o => o.FlushInterval > TimeSpan.Zero, $"{nameof(KmsAuditOptions.FlushInterval)} must be positive.")
            .Validate(o => o.BatchSize is >= 1 and <= 10_000, $"{nameof(KmsAuditOptions.BatchSize)} must be between 1 and 10,000.")
            .Validate(o => o.Capacity >= o.BatchSize, $"{nameof(KmsAuditOptions.Capacity)} must be at least {nameof(KmsAuditOptions.BatchSize)}.")
            .ValidateOnStart();
        services.TryAddSingleton(store);
        services.AddSingleton(sp => new AuditRecordBuilder(sp.GetRequiredService<IdentityStore>(), sp.GetRequiredService<IOptions<KmsGatewayOptions>>().Value.Region));
        services.AddSingleton<AuditWriter>();
        services.AddSingleton<IKmsRequestObserver>(sp => sp.GetRequiredService<AuditWriter>());
        // An embedded cluster whose silo shares this container records its service events here too.
        services.AddSingleton<IKmsServiceEvents>(sp => sp.GetRequiredService<AuditWriter>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<AuditWriter>());
        services.AddSingleton<AuditLookupEndpoint>();
        return services;
    }

    /// <summary>Maps <c>POST /_kms/audit/lookup</c> (<see cref="AuditLookupEndpoint"/>).</summary>
    public static IEndpointRouteBuilder MapKmsAudit(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(AuditLookupEndpoint.Path, ctx => ctx.RequestServices.GetRequiredService<AuditLookupEndpoint>().HandleAsync(ctx));
        return endpoints;
    }
}
