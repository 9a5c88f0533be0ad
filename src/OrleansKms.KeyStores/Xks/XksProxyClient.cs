using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OrleansKms.KeyStores.Xks;

/// <summary>
/// The service's side of the XKS Proxy API (github.com/aws/aws-kms-xksproxy-api-spec, v1): GetHealthStatus,
/// GetKeyMetadata, Encrypt and Decrypt as JSON POSTs to <c>{UriEndpoint}{UriPath}/health</c> and
/// <c>.../keys/{externalKeyId}/{metadata|encrypt|decrypt}</c>, each signed with SigV4 (service <c>kms-xks-proxy</c>)
/// under the proxy credential, each bounded by <see cref="XksProxyClientOptions.Timeout"/>.
/// Every failure (no connection, no TLS, no answer in time, an error answer, an answer that breaks the
/// specification) is thrown as the <see cref="KmsException"/> that the calling KMS operation
/// (<see cref="XksRequestMetadata.KmsOperation"/>) reports for it: see <see cref="XksErrors"/>. Cancelling
/// <c>cancel</c> throws <see cref="OperationCanceledException"/> as usual.
/// </summary>
public sealed partial class XksProxyClient
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly XksProxyClientOptions _options;

    /// <summary>
    /// A client sending through <paramref name="http"/>, timing and signing with <paramref name="time"/>. Give it an
    /// <see cref="HttpClient"/> whose handler does not follow redirects (<c>new SocketsHttpHandler { AllowAutoRedirect = false }</c>):
    /// an answer from anywhere but the proxy's own URI is refused as malformed.
    /// </summary>
    public XksProxyClient(HttpClient http, TimeProvider time, XksProxyClientOptions? options = null)
    {
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = options ?? new XksProxyClientOptions();
        _options.Validate();
    }

    /// <summary>
    /// GetHealthStatus: the proxy answers, accepts the credential and has at least one external key manager that is
    /// not <c>UNAVAILABLE</c>. <paramref name="metadata"/> needs only the KMS operation and request id
    /// (<see cref="XksRequestMetadata.ForHealthCheck"/>).
    /// </summary>
    public Task<XksHealth> GetHealthAsync(XksProxyConnection proxy, XksRequestMetadata metadata, CancellationToken cancel)
    {
        var body = Body(XksOperation.GetHealthStatus, metadata, static _ => { });
        return CallAsync(proxy, "/health", body, metadata, XksResponses.ReadHealth, cancel);
    }

    /// <summary>GetKeyMetadata of one external key. The answer is as the proxy gave it; see <see cref="XksKeyMetadata.EnsureUsableByKms"/>.</summary>
    public Task<XksKeyMetadata> GetKeyMetadataAsync(
        XksProxyConnection proxy, string externalKeyId, XksRequestMetadata metadata, CancellationToken cancel)
    {
        var body = Body(XksOperation.GetKeyMetadata, metadata, static _ => { });
        return CallAsync(proxy, KeyPath(externalKeyId, "metadata"), body, metadata, XksResponses.ReadKeyMetadata, cancel);
    }

    /// <summary>
    /// Encrypt with the external key (AES-GCM in the external key manager), binding
    /// <paramref name="additionalAuthenticatedData"/> (empty: none). The answer is checked against the specification
    /// and, unless turned off, against the ciphertext data integrity value it must carry.
    /// </summary>
    public Task<XksCiphertext> EncryptAsync(
        XksProxyConnection proxy, string externalKeyId, byte[] plaintext, byte[] additionalAuthenticatedData,
        XksRequestMetadata metadata, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(additionalAuthenticatedData);
        var integrity = _options.RequestCiphertextDataIntegrityValue;
        var body = Body(XksOperation.Encrypt, metadata, json =>
        {
            if (additionalAuthenticatedData.Length > 0) json.WriteBase64String("additionalAuthenticatedData", additionalAuthenticatedData);
            json.WriteBase64String("plaintext", plaintext);
            json.WriteString("encryptionAlgorithm", "AES_GCM");
            if (integrity) json.WriteString("ciphertextDataIntegrityValueAlgorithm", "SHA_256");
        });
        return CallAsync(proxy, KeyPath(externalKeyId, "encrypt"), body, metadata,
            root => XksResponses.ReadEncrypt(root, plaintext.Length, additionalAuthenticatedData, integrity), cancel);
    }

    /// <summary>
    /// Decrypt with the external key. A ciphertext whose IV, tag or metadata has a size the specification does not
    /// allow is refused here (InvalidCiphertextException) without calling the proxy.
    /// </summary>
    public Task<byte[]> DecryptAsync(
        XksProxyConnection proxy, string externalKeyId, XksCiphertext ciphertext, byte[] additionalAuthenticatedData,
        XksRequestMetadata metadata, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        ArgumentNullException.ThrowIfNull(additionalAuthenticatedData);
        if (!XksCiphertext.IsValidIvLength(ciphertext.InitializationVector.Length) || ciphertext.AuthenticationTag.Length != XksCiphertext.TagSize
            || ciphertext.CiphertextMetadata is { Length: > XksCiphertext.MaxMetadataSize })
            throw KmsException.InvalidCiphertext();
        var body = Body(XksOperation.Decrypt, metadata, json =>
        {
            json.WriteBase64String("ciphertext", ciphertext.Ciphertext);
            if (ciphertext.CiphertextMetadata is { Length: > 0 } extra) json.WriteBase64String("ciphertextMetadata", extra);
            json.WriteString("encryptionAlgorithm", "AES_GCM");
            if (additionalAuthenticatedData.Length > 0) json.WriteBase64String("additionalAuthenticatedData", additionalAuthenticatedData);
            json.WriteBase64String("authenticationTag", ciphertext.AuthenticationTag);
            json.WriteBase64String("initializationVector", ciphertext.InitializationVector);
        });
        return CallAsync(proxy, KeyPath(externalKeyId, "decrypt"), body, metadata,
            root => XksResponses.ReadDecrypt(root, ciphertext.Ciphertext.Length), cancel);
    }

    /// <summary>Sends one call and reads its answer; the one place a failure becomes the operation's KmsException.</summary>
    private async Task<T> CallAsync<T>(
        XksProxyConnection proxy, string suffix, byte[] body, XksRequestMetadata metadata, Func<JsonElement, T> read, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        try
        {
            var (status, answer) = await SendAsync(proxy, suffix, body, cancel).ConfigureAwait(false);
            if (status != 200) throw new XksCallFailed(XksResponses.ErrorOf(status, answer));
            using var document = XksResponses.Parse(answer);
            return read(document.RootElement);
        }
        catch (XksCallFailed failed)
        {
            throw XksErrors.ToKmsException(failed.Failure, metadata.KmsOperation);
        }
    }

    private async Task<(int Status, byte[] Body)> SendAsync(XksProxyConnection proxy, string suffix, byte[] body, CancellationToken cancel)
    {
        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancel, timeout.Token);
        var uri = proxy.ApiUri(suffix);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        XksSigV4Signer.Sign(request, body, proxy, _time.GetUtcNow());
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            // A handler that follows redirects would have sent the request elsewhere: that answer is not the proxy's.
            if (response.RequestMessage?.RequestUri is { } answered && answered != uri) throw XksResponses.Malformed();
            var answer = await ReadBoundedAsync(response.Content, linked.Token).ConfigureAwait(false);
            return ((int)response.StatusCode, answer);
        }
        catch (OperationCanceledException) when (!cancel.IsCancellationRequested)
        {
            // Our timeout, or the HttpClient's own: either way no answer in time.
            throw new XksCallFailed(XksFailure.TimedOut);
        }
        catch (HttpRequestException e)
        {
            throw new XksCallFailed(Classify(e));
        }
        catch (IOException)
        {
            // The connection broke while the answer was being read.
            throw XksResponses.Malformed();
        }
    }

    private static XksFailure Classify(HttpRequestException e) => e.HttpRequestError switch
    {
        HttpRequestError.SecureConnectionError => XksFailure.TlsFailure,
        HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError
            or HttpRequestError.ConfigurationLimitExceeded => XksFailure.MalformedResponse,
        _ => XksFailure.Unreachable,
    };

    private async Task<byte[]> ReadBoundedAsync(HttpContent content, CancellationToken cancel)
    {
        var max = _options.MaxResponseBytes;
        if (content.Headers.ContentLength > max) throw XksResponses.Malformed();
        await using var stream = await content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
        var buffer = ArrayPool<byte>.Shared.Rent(max + 1);
        try
        {
            var length = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(length, max + 1 - length), cancel).ConfigureAwait(false)) > 0)
            {
                length += read;
                if (length > max) throw XksResponses.Malformed();
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
    }

    private static byte[] Body(XksOperation operation, XksRequestMetadata metadata, Action<Utf8JsonWriter> writeRest)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            metadata.WriteTo(json, operation);
            writeRest(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The API path of one external key; refuses an id the XksKeyIdType pattern does not allow (and the dot segments).</summary>
    private static string KeyPath(string externalKeyId, string operation)
    {
        ArgumentNullException.ThrowIfNull(externalKeyId);
        if (externalKeyId.Length is < 1 or > 128 || !KeyIdRegex().IsMatch(externalKeyId) || externalKeyId is "." or "..")
        {
            throw KmsException.Validation(
                $"1 validation error detected: Value '{externalKeyId}' at 'xksKeyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9-_.]+$");
        }

        return $"/keys/{externalKeyId}/{operation}";
    }

    [GeneratedRegex(@"^[a-zA-Z0-9._-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex KeyIdRegex();
}
