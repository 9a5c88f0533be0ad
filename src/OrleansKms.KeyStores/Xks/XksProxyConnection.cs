using System.Text;
using System.Text.RegularExpressions;

namespace OrleansKms.KeyStores.Xks;

/// <summary>
/// Where and as whom the service reaches one external key store's proxy: what CreateCustomKeyStore or
/// UpdateCustomKeyStore gave (<c>XksProxyUriEndpoint</c>, <c>XksProxyUriPath</c>,
/// <c>XksProxyAuthenticationCredential</c>) and the Region whose name the requests are signed with. Build one from
/// request values with <see cref="Validate"/>; <see cref="ToString"/> never shows the secret.
/// </summary>
/// <param name="UriEndpoint">The proxy's scheme and host, e.g. <c>https://xks.example.com</c>.</param>
/// <param name="UriPath">The API prefix ending in <c>/kms/xks/v1</c>, e.g. <c>/tenant-7/kms/xks/v1</c>.</param>
/// <param name="AccessKeyId">The proxy credential's access key id (it travels in the Authorization header).</param>
/// <param name="SecretAccessKey">The proxy credential's raw secret access key (it only keys the signature).</param>
/// <param name="SigningRegion">The Region the service calls from, in the SigV4 credential scope.</param>
public sealed partial record XksProxyConnection(Uri UriEndpoint, string UriPath, string AccessKeyId, string SecretAccessKey, string SigningRegion)
{
    /// <summary>The one <c>XksProxyConnectivity</c> this service supports: the proxy at a public (or loopback) endpoint.</summary>
    public const string PublicEndpoint = "PUBLIC_ENDPOINT";

    /// <summary>Connectivity through an Amazon VPC endpoint service, which this service refuses.</summary>
    public const string VpcEndpointService = "VPC_ENDPOINT_SERVICE";

    private const string EndpointPattern = "^https://[a-zA-Z0-9.-]+$";
    private const string PathPattern = "^(/[a-zA-Z0-9\\/_-]+/kms/xks/v\\d{1,2})$|^(/kms/xks/v\\d{1,2})$";
    private const string AccessKeyIdPattern = "^[A-Z2-7]+$";
    private const string SecretPattern = "^[a-zA-Z0-9\\/+=]+$";

    /// <summary>
    /// Checks the external key store settings of a CreateCustomKeyStore (or the merged settings of an
    /// UpdateCustomKeyStore) as AWS does and returns the connection, or throws:
    /// <list type="bullet">
    /// <item><c>VPC_ENDPOINT_SERVICE</c> connectivity: UnsupportedOperationException, this service reaches proxies only
    /// at public endpoints;</item>
    /// <item>a missing setting, an unknown connectivity, or a value outside the API model's length and pattern
    /// (<c>XksProxyUriEndpointType</c>, <c>XksProxyUriPathType</c>, <c>XksProxyAuthenticationCredentialType</c>):
    /// ValidationException in AWS's wording (the credential's values are never echoed).</item>
    /// </list>
    /// The endpoint must be <c>https://</c> and a bare host name, as in AWS, with one development allowance: a loopback
    /// host (<c>127.0.0.1</c>, <c>localhost</c>, <c>[::1]</c>) may use <c>http://</c> and a port, for a proxy on the same
    /// machine in development and tests. <c>http://</c> to any other host is refused.
    /// </summary>
    public static XksProxyConnection Validate(
        string? connectivity, string? uriEndpoint, string? uriPath, string? accessKeyId, string? rawSecretAccessKey, string signingRegion)
    {
        ArgumentException.ThrowIfNullOrEmpty(signingRegion);
        ValidateConnectivity(connectivity);
        var errors = new List<string>();
        if (uriEndpoint is null || uriPath is null || accessKeyId is null || rawSecretAccessKey is null)
        {
            throw KmsException.Validation(
                "XksProxyUriEndpoint, XksProxyUriPath and XksProxyAuthenticationCredential are required for a custom key store with a CustomKeyStoreType of EXTERNAL_KEY_STORE.");
        }

        if (!IsLoopbackEndpoint(uriEndpoint))
            CheckShown(errors, uriEndpoint, "xksProxyUriEndpoint", 10, 128, EndpointRegex(), EndpointPattern);
        CheckShown(errors, uriPath, "xksProxyUriPath", 10, 128, PathRegex(), PathPattern);
        CheckHidden(errors, accessKeyId, "xksProxyAuthenticationCredential.accessKeyId", 20, 30, AccessKeyIdRegex(), AccessKeyIdPattern);
        CheckHidden(errors, rawSecretAccessKey, "xksProxyAuthenticationCredential.rawSecretAccessKey", 43, 64, SecretRegex(), SecretPattern);
        if (errors.Count > 0)
        {
            throw KmsException.Validation(
                $"{errors.Count} validation error{(errors.Count == 1 ? "" : "s")} detected: {string.Join("; ", errors)}");
        }

        if (!Uri.TryCreate(uriEndpoint, UriKind.Absolute, out var endpoint))
        {
            throw KmsException.Validation(
                $"1 validation error detected: Value '{uriEndpoint}' at 'xksProxyUriEndpoint' failed to satisfy constraint: Member must satisfy regular expression pattern: {EndpointPattern}");
        }

        return new XksProxyConnection(endpoint, uriPath, accessKeyId, rawSecretAccessKey, signingRegion);
    }

    /// <summary>The absolute URI of one proxy API: the endpoint, the path prefix, then <paramref name="suffix"/> (e.g. <c>/health</c>).</summary>
    internal Uri ApiUri(string suffix) => new($"{UriEndpoint.Scheme}://{UriEndpoint.Authority}{UriPath}{suffix}", UriKind.Absolute);

    /// <summary>What <see cref="ToString"/> shows: the endpoint, path, access key id and Region, never the secret.</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append($"UriEndpoint = {UriEndpoint}, UriPath = {UriPath}, AccessKeyId = {AccessKeyId}, SigningRegion = {SigningRegion}");
        return true;
    }

    private static void ValidateConnectivity(string? connectivity)
    {
        switch (connectivity)
        {
            case PublicEndpoint:
                return;
            case VpcEndpointService:
                throw new KmsException(KmsErrorCode.UnsupportedOperationException,
                    "XksProxyConnectivity VPC_ENDPOINT_SERVICE is not supported by this service: it reaches external key store proxies only at a public endpoint. Use PUBLIC_ENDPOINT connectivity with an https:// XksProxyUriEndpoint.");
            case null:
                throw KmsException.Validation("XksProxyConnectivity is required for a custom key store with a CustomKeyStoreType of EXTERNAL_KEY_STORE.");
            default:
                throw KmsException.Validation(
                    $"1 validation error detected: Value '{connectivity}' at 'xksProxyConnectivity' failed to satisfy constraint: Member must satisfy enum value set: [{PublicEndpoint}, {VpcEndpointService}]");
        }
    }

    private static bool IsLoopbackEndpoint(string endpoint) => LoopbackEndpointRegex().IsMatch(endpoint);

    private static void CheckShown(List<string> errors, string value, string member, int min, int max, Regex regex, string pattern)
    {
        if (Constraint(value, min, max, regex, pattern) is { } failed)
            errors.Add($"Value '{value}' at '{member}' failed to satisfy constraint: {failed}");
    }

    private static void CheckHidden(List<string> errors, string value, string member, int min, int max, Regex regex, string pattern)
    {
        if (Constraint(value, min, max, regex, pattern) is { } failed)
            errors.Add($"Value at '{member}' failed to satisfy constraint: {failed}");
    }

    private static string? Constraint(string value, int min, int max, Regex regex, string pattern) =>
        value.Length < min ? $"Member must have length greater than or equal to {min}"
        : value.Length > max ? $"Member must have length less than or equal to {max}"
        : regex.IsMatch(value) ? null
        : $"Member must satisfy regular expression pattern: {pattern}";

    // The patterns as matched end in \z: .NET's $ would also accept a trailing newline.
    [GeneratedRegex(@"^https://[a-zA-Z0-9.-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex EndpointRegex();

    [GeneratedRegex(@"^(/[a-zA-Z0-9/_-]+/kms/xks/v[0-9]{1,2})\z|^(/kms/xks/v[0-9]{1,2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex PathRegex();

    [GeneratedRegex(@"^[A-Z2-7]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccessKeyIdRegex();

    [GeneratedRegex(@"^[a-zA-Z0-9/+=]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex SecretRegex();

    [GeneratedRegex(@"^https?://(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex LoopbackEndpointRegex();
}
