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
    IEnumerable<IKmsRequestObserver> observers,
    IEnumerable<IKmsRequestGate> gates,
    ILogger<KmsGatewayEndpoint> logger,
    TimeProvider? clock = null)
{
    public const string TargetPrefix = "TrentService.";
    public static readonly ActivitySource Activities = new("OrleansKms.Gateway");
    public static readonly Meter Meter = new("OrleansKms.Gateway");
    private static readonly Counter<long> Requests = Meter.CreateCounter<long>("kms.requests", description: "KMS requests by operation and outcome");
    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>("kms.request.duration", "ms", "KMS request duration, until its answer is ready to write");

    private readonly int _maxBody = options.Value.MaxRequestBodyBytes;
    private readonly IKmsRequestObserver[] _observers = [.. observers];
    private readonly IKmsRequestGate[] _gates = [.. gates];
    private readonly bool _audited = observers.Any(o => o is Audit.AuditWriter);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var operation = "unknown";
        var outcome = "ok";
        Activity? activity = null;
        var response = context.Response;
        var requestId = RequestIds.New();
        response.Headers["x-amzn-RequestId"] = requestId;
        ReadOnlyMemory<byte> body = default;
        Auth.KmsIdentity? identity = null;
        string? regionName = null;
        byte[]? answer = null;
        string? errorMessage = null;
        var errorStatus = 0;
        try
        {
            body = await ReadBodyAsync(context.Request, context.RequestAborted);
            identity = verifier.Verify(context.Request, body.Span, out var scopeRegion);
            regionName = scopeRegion;
            var name = OperationName(context.Request);
            if (OperationTable.ModelName(name) is { } modelName) operation = modelName; // so a caller cannot mint new tag values
            var handler = OperationTable.Find(name);
            foreach (var gate in _gates) gate.Admit(regionName, identity, operation);
            if (Activities.HasListeners()) activity = Activities.StartActivity("kms." + operation, ActivityKind.Internal);
            activity?.SetTag("kms.operation", operation).SetTag("kms.account", identity.AccountId);
            activity?.SetTag("kms.region", regionName);
            var region = await regions.GetAsync(regionName, context.RequestAborted);
            var caller = identity.ToCaller(ClientAddresses.Text(context.Connection.RemoteIpAddress), context.Request.IsHttps, regionName);
            var call = new KmsCall(caller, body, regionName, region.Grains) { Authorization = region.Authorization, InProcessCrypto = region.InProcessCrypto, Gates = _gates };
            answer = await handler(call);
        }
        catch (KmsException e)
        {
            outcome = e.Code.ToString();
            errorMessage = e.Message;
            errorStatus = e.Code == KmsErrorCode.RequestEntityTooLargeException ? 413 : 400;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            outcome = "aborted";
        }
        catch (Regions.RegionUnavailableException)
        {
            // A stopped Region looks like an unreachable endpoint: the connection closes with no answer.
            outcome = "region-unavailable";
        }
        catch (Exception e)
        {
            outcome = nameof(KmsErrorCode.KMSInternalException);
            var traceId = Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
            logger.LogError(e, "Internal error in {Operation}, trace {TraceId}", operation, traceId);
            errorMessage = $"An internal error occurred. Trace id: {traceId}";
            errorStatus = 500;
        }

        try
        {
            // Recorded (audit, last usage, metering) before the caller has its answer: a caller who got an answer and
            // then flushes or looks up finds its request.
            if (_observers.Length > 0) Observe(context, requestId, operation, regionName, identity, body, answer, outcome, errorMessage, started);
            // Counted before the answer too: a caller holding its answer finds its request in the metrics.
            var tags = new TagList { { "operation", operation }, { "outcome", outcome } };
            Requests.Add(1, tags);
            Duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tags);
            if (answer is not null)
            {
                response.StatusCode = StatusCodes.Status200OK;
                response.ContentType = "application/x-amz-json-1.1";
                response.ContentLength = answer.Length;
                await response.Body.WriteAsync(answer, context.RequestAborted);
            }
            else if (errorStatus > 0)
            {
                await WriteErrorAsync(response, errorStatus, outcome, errorMessage!);
            }
            else if (outcome == "region-unavailable")
            {
                context.Abort();
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The caller went away while its answer was written; the request was done and is recorded as such.
        }
        finally
        {
            if (activity is not null)
            {
                activity.SetTag("kms.outcome", outcome);
                if (outcome != "ok") activity.SetStatus(ActivityStatusCode.Error, outcome);
                activity.Dispose();
            }
        }
    }

    private void Observe(HttpContext context, string requestId, string operation, string? region, Auth.KmsIdentity? identity,
        ReadOnlyMemory<byte> body, byte[]? answer, string outcome, string? errorMessage, long started)
    {
        var record = new KmsRequestRecord
        {
            RequestId = requestId,
            EventId = _audited ? RequestIds.New() : null,
            Time = _clock.GetUtcNow(),
            Operation = operation,
            Target = operation == "unknown" ? context.Request.Headers["X-Amz-Target"].ToString() : null,
            Region = region ?? ScopeRegion(context.Request),
            SourceIp = ClientAddresses.Text(context.Connection.RemoteIpAddress),
            UserAgent = context.Request.Headers.UserAgent.ToString(),
            Identity = identity,
            AccessKeyId = identity?.AccessKeyId ?? ScopeAccessKey(context.Request),
            RequestBody = body,
            ResponseBody = answer,
            ErrorCode = outcome == "ok" ? null : outcome,
            ErrorMessage = errorMessage,
            DurationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
        };
        foreach (var observer in _observers)
        {
            try
            {
                observer.Observe(record);
            }
            catch (Exception e)
            {
                logger.LogError(e, "Request observer {Observer} failed on {RequestId}", observer.GetType().Name, requestId);
            }
        }
    }

    /// <summary>The Credential=AKID/DATE/REGION/... of an Authorization header the verifier refused, as far as it reads.</summary>
    private static string[] Scope(HttpRequest request)
    {
        var authorization = request.Headers.Authorization.ToString();
        var at = authorization.IndexOf("Credential=", StringComparison.Ordinal);
        if (at < 0) return [];
        var end = authorization.IndexOf(',', at);
        return authorization[(at + "Credential=".Length)..(end < 0 ? authorization.Length : end)].Split('/');
    }

    private static string? ScopeRegion(HttpRequest request) => Scope(request) is { Length: > 2 } scope ? scope[2] : null;

    private static string? ScopeAccessKey(HttpRequest request) => Scope(request) is { Length: > 0 } scope && scope[0].Length > 0 ? scope[0] : null;

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
