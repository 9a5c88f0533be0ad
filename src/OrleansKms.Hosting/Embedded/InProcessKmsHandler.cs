using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using OrleansKms.Gateway;

namespace OrleansKms.Hosting.Embedded;

/// <summary>
/// An <see cref="HttpMessageHandler"/> that answers a request by handing it to the gateway's own pipeline
/// (<see cref="KmsGatewayEndpoint.HandleAsync"/>) in this process: no socket, no Kestrel. The request goes through the
/// same SigV4 verification, validation, authorization, request observers (audit, key last usage) and error mapping as
/// one that came over HTTP, and the answer goes back to the AWS SDK as the HTTP response it would have read.
/// </summary>
internal sealed class InProcessKmsHandler(KmsGatewayEndpoint gateway) : HttpMessageHandler
{
    /// <summary>Appended to the caller's User-Agent, so audit records show the call was made in-process.</summary>
    public const string UserAgentMarker = "OrleansKms-embedded";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var lifetime = new Lifetime(cancellationToken);
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        CopyRequest(request, body, context.Request);
        using var responseBody = new MemoryStream();
        context.Response.Body = responseBody;

        await gateway.HandleAsync(context);

        cancellationToken.ThrowIfCancellationRequested();
        // The gateway closes the connection unanswered for a stopped Region: what an HTTP client sees as an I/O error.
        if (lifetime.Aborted) throw new HttpRequestException("The KMS gateway closed the request without an answer.", new IOException("Connection closed."));
        return ToResponseMessage(context.Response, responseBody.ToArray(), request);
    }

    private static void CopyRequest(HttpRequestMessage from, byte[] body, HttpRequest to)
    {
        var uri = from.RequestUri ?? throw new InvalidOperationException("The request has no URI.");
        to.Method = from.Method.Method;
        to.Scheme = uri.Scheme;
        to.Host = new HostString(uri.IsDefaultPort ? uri.Host : uri.Authority);
        to.Path = uri.AbsolutePath;
        to.QueryString = new QueryString(uri.Query);
        foreach (var header in from.Headers) to.Headers[header.Key] = header.Value.ToArray();
        if (from.Content is not null)
            foreach (var header in from.Content.Headers) to.Headers[header.Key] = header.Value.ToArray();
        // Host is signed: the one the SDK signed is the URI's unless it set the header itself.
        if (from.Headers.Host is { } host) to.Headers.Host = host;
        else to.Headers.Host = to.Host.Value;
        to.Headers.UserAgent = $"{to.Headers.UserAgent} {UserAgentMarker}".TrimStart();
        to.ContentLength = body.Length;
        to.Body = new MemoryStream(body, writable: false);
    }

    private static HttpResponseMessage ToResponseMessage(HttpResponse from, byte[] body, HttpRequestMessage request)
    {
        var response = new HttpResponseMessage((HttpStatusCode)from.StatusCode) { RequestMessage = request, Content = new ByteArrayContent(body) };
        foreach (var header in from.Headers)
        {
            if (header.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                if (MediaTypeHeaderValue.TryParse(header.Value.ToString(), out var type)) response.Content.Headers.ContentType = type;
            }
            else if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
        }

        response.Content.Headers.ContentLength = body.Length;
        return response;
    }

    /// <summary>The request's cancellation, and whether the gateway aborted it.</summary>
    private sealed class Lifetime(CancellationToken cancel) : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted { get; set; } = cancel;

        public bool Aborted { get; private set; }

        public void Abort() => Aborted = true;
    }
}
