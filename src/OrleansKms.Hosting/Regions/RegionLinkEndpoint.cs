using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using OrleansKms.Gateway.Regions;
using OrleansKms.Grains;

namespace OrleansKms.Hosting.Regions;

/// <summary>
/// The receiving end of Region links between processes: <c>POST /_kms/region-link/deliver</c> (a primary's update
/// for a replica here) and <c>/_kms/region-link/replica-deleted</c>. Each request is authenticated with the link
/// secret (<see cref="RegionLinks.IsAuthentic"/>, within 5 minutes of its date); anything else is 403. KMS callers'
/// credentials are worth nothing here, and a link request is worth nothing as a KMS call.
/// </summary>
internal sealed class RegionLinkEndpoint(IKmsRegions regions, RegionLinks links, TimeProvider time)
{
    private static readonly TimeSpan AllowedSkew = TimeSpan.FromMinutes(5);
    private const int MaxBody = 4 * 1024 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is not { } length || length > MaxBody)
        {
            // Unauthenticated until read: a link request states its length and stays small.
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        var body = new byte[length];
        await request.Body.ReadExactlyAsync(body, context.RequestAborted);
        if (!Authentic(request, body))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }

        try
        {
            if (request.Path == ServiceRegionLinks.DeliverPath)
            {
                var update = JsonSerializer.Deserialize(body, RegionLinkJsonContext.Default.ReplicaUpdate)!;
                var region = await regions.GetAsync(update.TargetRegion, context.RequestAborted);
                await region.Grains.GetGrain<IKeyGrain>(new KeyArn(update.TargetRegion, update.AccountId, update.KeyId).Value).ApplyReplicaUpdateAsync(update);
            }
            else
            {
                var notice = JsonSerializer.Deserialize(body, RegionLinkJsonContext.Default.ReplicaDeletedNotice)!;
                var region = await regions.GetAsync(notice.PrimaryRegion, context.RequestAborted);
                await region.Grains.GetGrain<IKeyGrain>(new KeyArn(notice.PrimaryRegion, notice.AccountId, notice.KeyId).Value).ReplicaDeletedAsync(notice.ReplicaRegion);
            }

            context.Response.StatusCode = StatusCodes.Status204NoContent;
        }
        catch (KmsException e)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new LinkError(e.Code.ToString(), e.Message), RegionLinkJsonContext.Default.LinkError);
        }
        catch (RegionUnavailableException)
        {
            context.Abort();
        }
        catch (JsonException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
        }
    }

    private bool Authentic(HttpRequest request, byte[] body)
    {
        var date = request.Headers[ServiceRegionLinks.DateHeader].ToString();
        var signature = request.Headers[ServiceRegionLinks.SignatureHeader].ToString();
        if (!DateTimeOffset.TryParseExact(date, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var signedAt)
            || (time.GetUtcNow() - signedAt).Duration() > AllowedSkew)
            return false;
        return links.IsAuthentic(date, request.Path.Value!, body, signature);
    }

    /// <summary>The KMS error a peer answered, as the exception the sender's outbox understands.</summary>
    public static KmsException? ErrorOf(string json)
    {
        try
        {
            var error = JsonSerializer.Deserialize(json, RegionLinkJsonContext.Default.LinkError);
            return error is not null && Enum.TryParse<KmsErrorCode>(error.Code, out var code) ? new KmsException(code, error.Message) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>A link request's KMS error.</summary>
public sealed record LinkError(string Code, string Message);

[JsonSerializable(typeof(ReplicaUpdate))]
[JsonSerializable(typeof(ReplicaDeletedNotice))]
[JsonSerializable(typeof(LinkError))]
internal sealed partial class RegionLinkJsonContext : JsonSerializerContext;
