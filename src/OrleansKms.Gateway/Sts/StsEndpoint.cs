using System.Text;
using System.Xml;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using OrleansKms.Gateway.Auth;

namespace OrleansKms.Gateway.Sts;

/// <summary>
/// AWS STS on the KMS endpoint, in STS's own protocol (the AWS query protocol: a form-encoded POST with
/// <c>Action=...&amp;Version=2011-06-15</c>, XML answers), so that unmodified SDKs and
/// <c>aws sts ... --endpoint-url</c> work: <see cref="GetCallerIdentity"/> and <see cref="AssumeRole"/>. Requests are
/// SigV4-signed for service <c>sts</c>; any other action is InvalidAction.
/// </summary>
public sealed class StsEndpoint
{
    /// <summary>STS requests are small; this bounds what a caller can make the gateway buffer before verifying it.</summary>
    private const int MaxBodyBytes = 64 * 1024;

    private readonly SigV4Verifier _verifier;
    private readonly ILogger<StsEndpoint> _logger;
    private readonly Dictionary<string, Func<StsCall, Action<XmlWriter>>> _actions;

    public StsEndpoint(SigV4Verifier verifier, IdentityStore identities, SessionTokens sessions, IKmsAuthorization authorization, ILogger<StsEndpoint> logger)
    {
        _verifier = verifier;
        _logger = logger;
        _actions = new(StringComparer.Ordinal)
        {
            ["GetCallerIdentity"] = GetCallerIdentity.Run,
            ["AssumeRole"] = new AssumeRole(identities, sessions, authorization).Run,
        };
    }

    /// <summary>
    /// Whether a request is for STS: a form-encoded POST without KMS's X-Amz-Target. A KMS request is told apart by
    /// its first header lookup.
    /// </summary>
    public static bool Handles(HttpRequest request) =>
        !request.Headers.ContainsKey("X-Amz-Target")
        && HttpMethods.IsPost(request.Method)
        && request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;

    public async Task HandleAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString("D");
        context.Response.Headers["x-amzn-RequestId"] = requestId;
        var action = "";
        try
        {
            var body = await ReadBodyAsync(context.Request, context.RequestAborted);
            var caller = _verifier.Verify(context.Request, body, SigV4Verifier.StsService, out _);
            var form = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
            action = form.TryGetValue("Action", out var a) ? a.ToString() : "";
            var handler = Find(action, form.TryGetValue("Version", out var v) ? v.ToString() : StsXml.Version);
            var call = new StsCall(caller, form, context.Connection.RemoteIpAddress?.ToString(), context.Request.IsHttps);
            await WriteAsync(context.Response, 200, StsXml.Response(action, requestId, handler(call)));
        }
        catch (StsException e)
        {
            await WriteErrorAsync(context.Response, e, requestId);
        }
        catch (KmsException e)
        {
            await WriteErrorAsync(context.Response, StsException.From(e), requestId);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Internal error in STS {Action}, request {RequestId}", action, requestId);
            await WriteErrorAsync(context.Response, new StsException(500, "InternalFailure", "An internal error occurred.", "Receiver"), requestId);
        }
    }

    private Func<StsCall, Action<XmlWriter>> Find(string action, string version)
    {
        if (action.Length == 0) throw new StsException(400, "MissingAction", "The request is missing an action or a required parameter.");
        if (version == StsXml.Version && _actions.TryGetValue(action, out var handler)) return handler;
        throw new StsException(400, "InvalidAction", $"Could not find operation {action} for version {version}");
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancel)
    {
        if (request.ContentLength > MaxBodyBytes) throw TooLarge();
        using var body = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancel)) > 0)
        {
            if (body.Length + read > MaxBodyBytes) throw TooLarge();
            body.Write(chunk, 0, read);
        }

        return body.ToArray();
    }

    private static StsException TooLarge() => new(413, "RequestEntityTooLarge", $"Request body exceeds the maximum of {MaxBodyBytes} bytes.");

    private static Task WriteErrorAsync(HttpResponse response, StsException error, string requestId) =>
        WriteAsync(response, error.Status, StsXml.Error(error, requestId));

    private static async Task WriteAsync(HttpResponse response, int status, byte[] xml)
    {
        if (response.HasStarted) return;
        response.StatusCode = status;
        response.ContentType = "text/xml";
        response.ContentLength = xml.Length;
        await response.Body.WriteAsync(xml);
    }
}
