using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>
/// CreateCustomKeyStore, DescribeCustomKeyStores, UpdateCustomKeyStore, ConnectCustomKeyStore,
/// DisconnectCustomKeyStore, DeleteCustomKeyStore: IAM-only operations (resource <c>*</c>) on the custom key stores of
/// the caller's account and Region. The gateway checks the model's constraints and which members go with which store
/// type; the store's grain owns everything that needs the store (its state, its connection, the https/loopback rule of
/// an external key store's proxy endpoint).
/// </summary>
internal static partial class CustomKeyStoreOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("CreateCustomKeyStore", CreateCustomKeyStore),
        ("DescribeCustomKeyStores", DescribeCustomKeyStores),
        ("UpdateCustomKeyStore", UpdateCustomKeyStore),
        ("ConnectCustomKeyStore", ConnectCustomKeyStore),
        ("DisconnectCustomKeyStore", DisconnectCustomKeyStore),
        ("DeleteCustomKeyStore", DeleteCustomKeyStore),
    ];

    private const string ClusterIdPattern = "cluster-[2-7a-zA-Z]{11,16}";
    private const string EndpointPattern = "^https://[a-zA-Z0-9.-]+$";
    private const string PathPattern = "^(/[a-zA-Z0-9\\/_-]+/kms/xks/v\\d{1,2})$|^(/kms/xks/v\\d{1,2})$";
    private const string VpcServicePattern = "^(com|eu)\\.amazonaws\\.vpce\\.([a-z]+-){2,3}\\d+\\.vpce-svc-[0-9a-z]+$";
    private const string AccountIdPattern = "[0-9]{12}";

    public static async ValueTask<byte[]> CreateCustomKeyStore(KmsCall call)
    {
        var r = call.Read(KmsCustomKeyStoreJsonContext.Default.CreateCustomKeyStoreRequest);
        var v = new RequestValidator()
            .Required(r.CustomKeyStoreName, "CustomKeyStoreName").Length(r.CustomKeyStoreName, "CustomKeyStoreName", 1, 256)
            .Matches(r.CloudHsmClusterId, "CloudHsmClusterId", 19, 24, ClusterIdRegex(), ClusterIdPattern)
            .Length(r.TrustAnchorCertificate, "TrustAnchorCertificate", 1, 5000)
            .HiddenLength(r.KeyStorePassword, "KeyStorePassword", 7, 32)
            .Enum(r.CustomKeyStoreType, "CustomKeyStoreType", ModelEnums.CustomKeyStoreType);
        Xks(v, r).ThrowIfInvalid();
        var type = r.CustomKeyStoreType ?? KeyStoreValues.CloudHsm;
        if (type == KeyStoreValues.CloudHsm) CheckCloudHsmMembers(r);
        else CheckExternalMembers(r);
        CheckVpcMembers(r);
        call.AuthorizeIdentity("kms:CreateCustomKeyStore");
        var id = KeyStoreValues.NewId();
        await Store(call, id).CreateAsync(new CreateCustomKeyStoreCommand
        {
            Caller = call.Caller,
            Name = r.CustomKeyStoreName!,
            Type = type,
            CloudHsmClusterId = r.CloudHsmClusterId,
            TrustAnchorCertificate = r.TrustAnchorCertificate,
            KeyStorePassword = r.KeyStorePassword,
            Xks = type == KeyStoreValues.External
                ? new XksProxySettings(r.XksProxyConnectivity!, r.XksProxyUriEndpoint!, r.XksProxyUriPath!, r.XksProxyAuthenticationCredential!.AccessKeyId!)
                : null,
            XksSecretAccessKey = r.XksProxyAuthenticationCredential?.RawSecretAccessKey,
        });
        return KmsCall.Write(new CreateCustomKeyStoreResponse(id), KmsCustomKeyStoreJsonContext.Default.CreateCustomKeyStoreResponse);
    }

    /// <summary>
    /// The stores in creation order, a page at a time. The marker is the id of the last store of the previous page:
    /// stores created since are appended after it, so a marker stays good while the list grows.
    /// </summary>
    public static async ValueTask<byte[]> DescribeCustomKeyStores(KmsCall call)
    {
        var r = call.Read(KmsCustomKeyStoreJsonContext.Default.DescribeCustomKeyStoresRequest);
        new RequestValidator()
            .Length(r.CustomKeyStoreId, "CustomKeyStoreId", 1, 64)
            .Length(r.CustomKeyStoreName, "CustomKeyStoreName", 1, 256)
            .Range(r.Limit, "Limit", 1, 1000)
            .Length(r.Marker, "Marker", 1, 1024)
            .Pattern(r.Marker, "Marker", c => c is >= '\u0020' and <= '\u00FF', "[\\u0020-\\u00FF]*")
            .ThrowIfInvalid();
        if (r.CustomKeyStoreId is not null && r.CustomKeyStoreName is not null)
            throw KmsException.Validation("You cannot specify CustomKeyStoreId and CustomKeyStoreName in the same request.");
        call.AuthorizeIdentity("kms:DescribeCustomKeyStores");
        var ids = await call.Grains.GetGrain<ICustomKeyStoreCatalogGrain>($"{call.Caller.AccountId}/{call.Region}").ListAsync(r.CustomKeyStoreName);
        if (r.CustomKeyStoreId is not null) ids = [.. ids.Where(id => id == r.CustomKeyStoreId)];
        if (ids.Count == 0 && (r.CustomKeyStoreId ?? r.CustomKeyStoreName) is not null)
            throw KmsException.WithoutMessage(KmsErrorCode.CustomKeyStoreNotFoundException);
        var start = 0;
        if (r.Marker is not null)
        {
            var last = ids.ToList().IndexOf(r.Marker);
            if (last < 0) throw new KmsException(KmsErrorCode.InvalidMarkerException, "Invalid marker");
            start = last + 1;
        }

        var page = ids.Skip(start).Take(r.Limit ?? 100).ToList();
        var stores = await Task.WhenAll(page.Select(id => Store(call, id).DescribeAsync(call.Caller)));
        var next = start + page.Count < ids.Count ? page[^1] : null;
        return KmsCall.Write(new DescribeCustomKeyStoresResponse([.. stores.Select(ToWire)], next, next is not null),
            KmsCustomKeyStoreJsonContext.Default.DescribeCustomKeyStoresResponse);
    }

    public static async ValueTask<byte[]> UpdateCustomKeyStore(KmsCall call)
    {
        var r = call.Read(KmsCustomKeyStoreJsonContext.Default.UpdateCustomKeyStoreRequest);
        var v = new RequestValidator()
            .Required(r.CustomKeyStoreId, "CustomKeyStoreId").Length(r.CustomKeyStoreId, "CustomKeyStoreId", 1, 64)
            .Length(r.NewCustomKeyStoreName, "NewCustomKeyStoreName", 1, 256)
            .HiddenLength(r.KeyStorePassword, "KeyStorePassword", 7, 32)
            .Matches(r.CloudHsmClusterId, "CloudHsmClusterId", 19, 24, ClusterIdRegex(), ClusterIdPattern);
        Xks(v, r).ThrowIfInvalid();
        CheckVpcMembers(r);
        call.AuthorizeIdentity("kms:UpdateCustomKeyStore");
        await Store(call, r.CustomKeyStoreId!).UpdateAsync(new UpdateCustomKeyStoreCommand
        {
            Caller = call.Caller,
            NewName = r.NewCustomKeyStoreName,
            KeyStorePassword = r.KeyStorePassword,
            CloudHsmClusterId = r.CloudHsmClusterId,
            XksUriEndpoint = r.XksProxyUriEndpoint,
            XksUriPath = r.XksProxyUriPath,
            XksConnectivity = r.XksProxyConnectivity,
            XksAccessKeyId = r.XksProxyAuthenticationCredential?.AccessKeyId,
            XksSecretAccessKey = r.XksProxyAuthenticationCredential?.RawSecretAccessKey,
        });
        return Empty.Body;
    }

    public static async ValueTask<byte[]> ConnectCustomKeyStore(KmsCall call)
    {
        await Store(call, ReadStoreId(call, "kms:ConnectCustomKeyStore")).ConnectAsync(call.Caller);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> DisconnectCustomKeyStore(KmsCall call)
    {
        await Store(call, ReadStoreId(call, "kms:DisconnectCustomKeyStore")).DisconnectAsync(call.Caller);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> DeleteCustomKeyStore(KmsCall call)
    {
        await Store(call, ReadStoreId(call, "kms:DeleteCustomKeyStore")).DeleteAsync(call.Caller);
        return Empty.Body;
    }

    /// <summary>The store's grain; an id that names no store (or is no store id at all) is the grain's CustomKeyStoreNotFoundException.</summary>
    internal static ICustomKeyStoreGrain Store(KmsCall call, string id) =>
        call.Grains.GetGrain<ICustomKeyStoreGrain>($"{call.Caller.AccountId}/{call.Region}/{id}");

    /// <summary>A request that is a CustomKeyStoreId alone, validated, then the caller authorized for <paramref name="action"/>.</summary>
    private static string ReadStoreId(KmsCall call, string action)
    {
        var r = call.Read(KmsCustomKeyStoreJsonContext.Default.CustomKeyStoreIdRequest);
        new RequestValidator().Required(r.CustomKeyStoreId, "CustomKeyStoreId").Length(r.CustomKeyStoreId, "CustomKeyStoreId", 1, 64).ThrowIfInvalid();
        call.AuthorizeIdentity(action);
        return r.CustomKeyStoreId!;
    }

    /// <summary>The external key store members, in the model's order (the same in CreateCustomKeyStore and UpdateCustomKeyStore).</summary>
    /// <remarks>
    /// The endpoint is checked against a pattern wider than the model's (<c>http://</c> and a port are let through) so
    /// that a proxy on the loopback interface can be used in development; the grain decides which endpoints it accepts.
    /// The credential's patterns are the grain's to check too (<c>XksProxyConnection.Validate</c>): the values are
    /// sensitive and AWS never echoes them.
    /// </remarks>
    private static RequestValidator Xks(RequestValidator v, XksProxyMembers r)
    {
        v.Matches(r.XksProxyUriEndpoint, "XksProxyUriEndpoint", 10, 128, EndpointRegex(), EndpointPattern)
            .Matches(r.XksProxyUriPath, "XksProxyUriPath", 10, 128, PathRegex(), PathPattern)
            .Matches(r.XksProxyVpcEndpointServiceName, "XksProxyVpcEndpointServiceName", 20, 64, VpcServiceRegex(), VpcServicePattern)
            .Matches(r.XksProxyVpcEndpointServiceOwner, "XksProxyVpcEndpointServiceOwner", 12, 12, AccountIdRegex(), AccountIdPattern);
        if (r.XksProxyAuthenticationCredential is { } credential)
        {
            v.Required(credential.AccessKeyId, "XksProxyAuthenticationCredential.accessKeyId")
                .HiddenLength(credential.AccessKeyId, "XksProxyAuthenticationCredential.accessKeyId", 20, 30)
                .Required(credential.RawSecretAccessKey, "XksProxyAuthenticationCredential.rawSecretAccessKey")
                .HiddenLength(credential.RawSecretAccessKey, "XksProxyAuthenticationCredential.rawSecretAccessKey", 43, 64);
        }

        return v.Enum(r.XksProxyConnectivity, "XksProxyConnectivity", ModelEnums.XksProxyConnectivity);
    }

    private static void CheckCloudHsmMembers(CreateCustomKeyStoreRequest r)
    {
        OnlyFor(KeyStoreValues.External,
            ("XksProxyUriEndpoint", r.XksProxyUriEndpoint), ("XksProxyUriPath", r.XksProxyUriPath),
            ("XksProxyVpcEndpointServiceName", r.XksProxyVpcEndpointServiceName), ("XksProxyVpcEndpointServiceOwner", r.XksProxyVpcEndpointServiceOwner),
            ("XksProxyAuthenticationCredential", r.XksProxyAuthenticationCredential), ("XksProxyConnectivity", r.XksProxyConnectivity));
        if (r.CloudHsmClusterId is null || r.TrustAnchorCertificate is null || r.KeyStorePassword is null)
            throw KmsException.Validation(Required("CloudHsmClusterId, TrustAnchorCertificate and KeyStorePassword are", KeyStoreValues.CloudHsm));
    }

    /// <summary>The external key store's required members, with the grain's wording (<c>XksProxyConnection.Validate</c>).</summary>
    private static void CheckExternalMembers(CreateCustomKeyStoreRequest r)
    {
        OnlyFor(KeyStoreValues.CloudHsm,
            ("CloudHsmClusterId", r.CloudHsmClusterId), ("TrustAnchorCertificate", r.TrustAnchorCertificate), ("KeyStorePassword", r.KeyStorePassword));
        if (r.XksProxyConnectivity is null)
            throw KmsException.Validation(Required("XksProxyConnectivity is", KeyStoreValues.External));
        if (r.XksProxyUriEndpoint is null || r.XksProxyUriPath is null || r.XksProxyAuthenticationCredential is null)
            throw KmsException.Validation(Required("XksProxyUriEndpoint, XksProxyUriPath and XksProxyAuthenticationCredential are", KeyStoreValues.External));
    }

    /// <summary>The VPC endpoint service members go only with VPC_ENDPOINT_SERVICE connectivity (in an update too: the request must set it).</summary>
    private static void CheckVpcMembers(XksProxyMembers r)
    {
        if (r.XksProxyConnectivity == "VPC_ENDPOINT_SERVICE") return;
        var member = r.XksProxyVpcEndpointServiceName is not null ? "XksProxyVpcEndpointServiceName"
            : r.XksProxyVpcEndpointServiceOwner is not null ? "XksProxyVpcEndpointServiceOwner"
            : null;
        if (member is not null)
            throw KmsException.Validation($"{member} is valid only for an external key store with an XksProxyConnectivity of VPC_ENDPOINT_SERVICE.");
    }

    private static void OnlyFor(string type, params (string Member, object? Value)[] members)
    {
        foreach (var (member, value) in members)
        {
            if (value is not null) throw KmsException.Validation($"{member} is valid only for a custom key store with a CustomKeyStoreType of {type}.");
        }
    }

    private static string Required(string members, string type) => $"{members} required for a custom key store with a CustomKeyStoreType of {type}.";

    private static CustomKeyStoresListEntryDto ToWire(CustomKeyStoreInfo s) => new(
        s.CustomKeyStoreId, s.CustomKeyStoreName, s.CloudHsmClusterId, s.TrustAnchorCertificate, s.ConnectionState, s.ConnectionErrorCode,
        WireTime.Of(s.CreationDate), s.CustomKeyStoreType,
        s.XksProxyConfiguration is { } x ? new XksProxyConfigurationDto(x.Connectivity, x.AccessKeyId, x.UriEndpoint, x.UriPath) : null);

    /// <summary>Length, then (for a value of a valid length) the pattern, printed as the model writes it.</summary>
    private static RequestValidator Matches(this RequestValidator v, string? value, string member, int min, int max, Regex regex, string pattern)
    {
        v.Length(value, member, min, max);
        if (value is not null && value.Length >= min && value.Length <= max && !regex.IsMatch(value)) v.Pattern(value, member, _ => false, pattern);
        return v;
    }

    /// <summary>The length of a sensitive member, checked as a blob's so that the message leaves the value out, as AWS's does.</summary>
    private static RequestValidator HiddenLength(this RequestValidator v, string? value, string member, int min, int max) =>
        v.Length(value is null ? null : new byte[value.Length], member, min, max);

    // The patterns as matched end in \z: .NET's $ would also accept a trailing newline.
    [GeneratedRegex(@"^cluster-[2-7a-zA-Z]{11,16}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ClusterIdRegex();

    [GeneratedRegex(@"^https?://[a-zA-Z0-9.-]+(:[0-9]{1,5})?\z", RegexOptions.CultureInvariant)]
    private static partial Regex EndpointRegex();

    [GeneratedRegex(@"^(/[a-zA-Z0-9/_-]+/kms/xks/v[0-9]{1,2})\z|^(/kms/xks/v[0-9]{1,2})\z", RegexOptions.CultureInvariant)]
    private static partial Regex PathRegex();

    [GeneratedRegex(@"^(com|eu)\.amazonaws\.vpce\.([a-z]+-){2,3}[0-9]+\.vpce-svc-[0-9a-z]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex VpcServiceRegex();

    [GeneratedRegex(@"^[0-9]{12}\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdRegex();
}

// Wire shapes of the custom key store operations, members named and ordered as in the model.

/// <summary>The external key store members CreateCustomKeyStore and UpdateCustomKeyStore share.</summary>
public abstract class XksProxyMembers
{
    public string? XksProxyUriEndpoint { get; init; }
    public string? XksProxyUriPath { get; init; }
    public string? XksProxyVpcEndpointServiceName { get; init; }
    public string? XksProxyVpcEndpointServiceOwner { get; init; }
    public XksProxyAuthenticationCredentialDto? XksProxyAuthenticationCredential { get; init; }
    public string? XksProxyConnectivity { get; init; }
}

public sealed class XksProxyAuthenticationCredentialDto
{
    public string? AccessKeyId { get; init; }
    public string? RawSecretAccessKey { get; init; }
}

public sealed class CreateCustomKeyStoreRequest : XksProxyMembers
{
    public string? CustomKeyStoreName { get; init; }
    public string? CloudHsmClusterId { get; init; }
    public string? TrustAnchorCertificate { get; init; }
    public string? KeyStorePassword { get; init; }
    public string? CustomKeyStoreType { get; init; }
}

public sealed record CreateCustomKeyStoreResponse(string CustomKeyStoreId);

public sealed class DescribeCustomKeyStoresRequest
{
    public string? CustomKeyStoreId { get; init; }
    public string? CustomKeyStoreName { get; init; }
    public int? Limit { get; init; }
    public string? Marker { get; init; }
}

public sealed record XksProxyConfigurationDto(string Connectivity, string AccessKeyId, string UriEndpoint, string UriPath);

public sealed record CustomKeyStoresListEntryDto(
    string CustomKeyStoreId, string CustomKeyStoreName, string? CloudHsmClusterId, string? TrustAnchorCertificate, string ConnectionState,
    string? ConnectionErrorCode, double CreationDate, string CustomKeyStoreType, XksProxyConfigurationDto? XksProxyConfiguration);

public sealed record DescribeCustomKeyStoresResponse(IReadOnlyList<CustomKeyStoresListEntryDto> CustomKeyStores, string? NextMarker, bool Truncated);

public sealed class UpdateCustomKeyStoreRequest : XksProxyMembers
{
    public string? CustomKeyStoreId { get; init; }
    public string? NewCustomKeyStoreName { get; init; }
    public string? KeyStorePassword { get; init; }
    public string? CloudHsmClusterId { get; init; }
}

/// <summary>ConnectCustomKeyStore, DisconnectCustomKeyStore and DeleteCustomKeyStore: a CustomKeyStoreId alone.</summary>
public sealed class CustomKeyStoreIdRequest
{
    public string? CustomKeyStoreId { get; init; }
}

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(CreateCustomKeyStoreRequest))]
[JsonSerializable(typeof(CreateCustomKeyStoreResponse))]
[JsonSerializable(typeof(DescribeCustomKeyStoresRequest))]
[JsonSerializable(typeof(DescribeCustomKeyStoresResponse))]
[JsonSerializable(typeof(UpdateCustomKeyStoreRequest))]
[JsonSerializable(typeof(CustomKeyStoreIdRequest))]
public sealed partial class KmsCustomKeyStoreJsonContext : JsonSerializerContext;
