using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Auth;
using OrleansKms.Gateway.Operations;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway;

/// <summary>
/// The one HTTP entry point: read the body (bounded), verify SigV4, find the operation in the table, run it, and
/// map any error to AWS's <c>{"__type", "message"}</c> body (no <c>message</c> where AWS sends none). Client input never yields a 500; an unexpected fault is
/// KMSInternalException, logged with its trace id.
/// </summary>
public sealed class KmsGatewayEndpoint(
    SigV4Verifier verifier,
    Regions.IKmsRegions regions,
    IOptions<KmsGatewayOptions> options,
    ILogger<KmsGatewayEndpoint> logger)
{
    public const string TargetPrefix = "TrentService.";
    public static readonly ActivitySource Activities = new("OrleansKms.Gateway");
    public static readonly Meter Meter = new("OrleansKms.Gateway");
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("kms.requests", description: "KMS requests by operation and outcome");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("kms.request.duration", "ms", "KMS request duration");

    private readonly int _maxBody = options.Value.MaxRequestBodyBytes;

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var operation = "unknown";
        var outcome = "ok";
        Activity? activity = null;
        var response = context.Response;
        response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString("D");
        try
        {
            var body = await ReadBodyAsync(context.Request, context.RequestAborted);
            var identity = verifier.Verify(context.Request, body.Span, out var regionName);
            var name = OperationName(context.Request);
            if (OperationTable.IsModelOperation(name)) operation = name; // so a caller cannot mint new tag values
            var handler = OperationTable.Find(name);
            activity = Activities.StartActivity("kms." + operation, ActivityKind.Internal);
            activity?.SetTag("kms.operation", operation).SetTag("kms.account", identity.AccountId);
            activity?.SetTag("kms.region", regionName);
            var region = await regions.GetAsync(regionName, context.RequestAborted);
            var caller = identity.ToCaller(context.Connection.RemoteIpAddress?.ToString(), context.Request.IsHttps, regionName);
            var call = new KmsCall(caller, body, regionName, region.Grains) { Authorization = region.Authorization, InProcessCrypto = region.InProcessCrypto };
            var json = await handler(call);
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/x-amz-json-1.1";
            response.ContentLength = json.Length;
            await response.Body.WriteAsync(json, context.RequestAborted);
        }
        catch (KmsException e)
        {
            outcome = e.Code.ToString();
            await WriteErrorAsync(response, e.Code == KmsErrorCode.RequestEntityTooLargeException ? 413 : 400, e.Code.ToString(), e.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            outcome = "aborted";
        }
        catch (Regions.RegionUnavailableException)
        {
            // A stopped Region looks like an unreachable endpoint: the connection closes with no answer.
            outcome = "region-unavailable";
            context.Abort();
        }
        catch (Exception e)
        {
            outcome = nameof(KmsErrorCode.KMSInternalException);
            var traceId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
            logger.LogError(e, "Internal error in {Operation}, trace {TraceId}", operation, traceId);
            await WriteErrorAsync(response, 500, outcome, $"An internal error occurred. Trace id: {traceId}");
        }
        finally
        {
            var tags = new TagList { { "operation", operation }, { "outcome", outcome } };
            Requests.Add(1, tags);
            Duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);
            if (activity is not null)
            {
                activity.SetTag("kms.outcome", outcome);
                if (outcome != "ok") activity.SetStatus(ActivityStatusCode.Error, outcome);
                activity.Dispose();
            }
        }
    }

    private static string OperationName(HttpRequest request)
    {
        var target = request.Headers["X-Amz-Target"].ToString();
        if (request.Method != HttpMethods.Post || !target.StartsWith(TargetPrefix, StringComparison.Ordinal))
            throw new KmsException(KmsErrorCode.UnknownOperationException, target.Length == 0 ? "Missing X-Amz-Target header." : $"Operation {target} is unknown.");
        return target[TargetPrefix.Length..];
    }

    private async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpRequest request, CancellationToken cancel)
    {
        if (request.ContentLength > _maxBody) throw TooLarge();
        var buffer = new byte[request.ContentLength is { } n ? (int)n : 4096];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (request.ContentLength is not null) break;
                if (buffer.Length >= _maxBody + 1) throw TooLarge();
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, _maxBody + 1));
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancel);
            if (read == 0) break;
            length += read;
        }

        if (length > _maxBody) throw TooLarge();
        return buffer.AsMemory(0, length);
    }

    private KmsException TooLarge() =>
        new(KmsErrorCode.RequestEntityTooLargeException, $"Request body exceeds the maximum of {_maxBody} bytes.");

    private static async Task WriteErrorAsync(HttpResponse response, int status, string code, string message)
    {
        if (response.HasStarted) return;
        response.StatusCode = status;
        response.ContentType = "application/x-amz-json-1.1";
        var json = KmsCall.Write(ErrorResponse.Of(code, message), KmsJsonContext.Default.ErrorResponse);
        response.ContentLength = json.Length;
        await response.Body.WriteAsync(json);
    }
}
