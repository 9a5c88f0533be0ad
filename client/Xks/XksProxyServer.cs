using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OrleansKms.KeyStores;

namespace OrleansKms.Cli.Xks;

/// <summary>
/// The reference XKS proxy (AWS External Key Store Proxy API v1) as an embeddable server: Kestrel in front of a
/// PKCS#11 token opened with <see cref="Pkcs11Tokens.Open"/>. <c>kms xks-proxy</c> and the tests both run this class.
/// Give KMS <see cref="Endpoint"/> as XksProxyUriEndpoint and <see cref="UriPath"/> as XksProxyUriPath.
/// </summary>
internal sealed class XksProxyServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private XksProxyServer(WebApplication app, IHsmToken token, Uri endpoint, string uriPath)
    {
        _app = app;
        Token = token;
        Endpoint = endpoint;
        UriPath = uriPath;
    }

    /// <summary>Scheme, address and port, e.g. http://127.0.0.1:41234 (KMS's XksProxyUriEndpoint).</summary>
    public Uri Endpoint { get; }

    /// <summary>The optional prefix and /kms/xks/v1, e.g. /example/prefix/kms/xks/v1 (KMS's XksProxyUriPath).</summary>
    public string UriPath { get; }

    /// <summary>The API's base: <see cref="Endpoint"/> with <see cref="UriPath"/>; operations are under it.</summary>
    public Uri BaseUri => new(Endpoint, UriPath);

    /// <summary>Cancelled when the server begins to stop, on <see cref="DisposeAsync"/> or a SIGTERM to the process.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    /// <summary>The token the keys live in.</summary>
    public IHsmToken Token { get; }

    /// <summary>
    /// Opens the token, creates the <see cref="XksProxyOptions.CreateKeys"/> that are missing, and starts serving.
    /// Throws <see cref="ArgumentException"/> for invalid options and <see cref="InvalidOperationException"/> when the
    /// token cannot be opened (messages name the module and token, never the PIN).
    /// </summary>
    public static async Task<XksProxyServer> StartAsync(XksProxyOptions options, CancellationToken cancel)
    {
        if (options.Validate() is { } problem) throw new ArgumentException(problem, nameof(options));
        var token = Pkcs11Tokens.Open(options.ModulePath, options.TokenLabel, options.Pin);
        try
        {
            foreach (var label in options.CreateKeys.Where(label => !token.HasKey(label))) token.GenerateAesKey(label);
            var app = Build(options, token);
            await app.StartAsync(cancel);
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new XksProxyServer(app, token, new Uri(address), options.UriPath);
        }
        catch
        {
            token.Dispose();
            throw;
        }
    }

    private static WebApplication Build(XksProxyOptions options, IHsmToken token)
    {
        var certificate = options.TlsCertificatePath is null ? null : X509Certificate2.CreateFromPemFile(options.TlsCertificatePath, options.TlsKeyPath);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = XksRequestHandler.MaxBodyBytes;
            kestrel.Listen(IPAddress.Parse(options.ListenAddress), options.Port, listen =>
            {
                if (certificate is null) return;
                // The spec: HTTP/1.1 or later, TLS 1.2 or later, falling back to HTTP/1.1.
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            });
        });
        var app = builder.Build();
        var verifier = new XksSigV4Verifier(options.Credentials, options.Time, options.AllowedClockSkew);
        var handler = new XksRequestHandler(new XksOperations(token, options.ModulePath), verifier, options.UriPath, options.Logger);
        app.Run(handler.HandleAsync);
        return app;
    }

    /// <summary>Stops serving, then closes the token.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        finally
        {
            Token.Dispose();
        }
    }
}
