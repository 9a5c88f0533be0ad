using System.Text.Json.Serialization;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>
/// CreateGrant, ListGrants, ListRetirableGrants, RetireGrant and RevokeGrant. KeyId takes a key id or key ARN (not
/// an alias), as AWS's. Grants are stored, listed, retired and revoked; they are not evaluated on calls yet.
/// </summary>
internal static class GrantOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("CreateGrant", CreateGrant),
        ("ListGrants", ListGrants),
        ("ListRetirableGrants", ListRetirableGrants),
        ("RetireGrant", RetireGrant),
        ("RevokeGrant", RevokeGrant),
    ];

    /// <summary>The encryption context a grant constraint may carry (AWS's own encryption context limit is 8 KB).</summary>
    private const int MaxConstraintCharacters = 8192;

    private const string PrincipalPattern = "^[\\w+=,.@:/-]+$";
    private const string ServicePrincipalPattern = "^([A-Za-z0-9\\-]+)\\.([A-Za-z0-9\\-]+)(\\.[A-Za-z0-9\\-]+)+$";

    public static async ValueTask<byte[]> CreateGrant(KmsCall call)
    {
        var r = call.Read(KmsGrantJsonContext.Default.CreateGrantRequest);
        var v = new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.Operations, "Operations")
            .Name(r.Name)
            .GrantTokens(r.GrantTokens)
            .Context(r.Constraints?.EncryptionContextSubset, "Constraints.EncryptionContextSubset")
            .Context(r.Constraints?.EncryptionContextEquals, "Constraints.EncryptionContextEquals")
            .Length(r.Constraints?.SourceArn, "Constraints.SourceArn", 20, 512);
        Principal(v, r.GranteePrincipal, "GranteePrincipal");
        Principal(v, r.RetiringPrincipal, "RetiringPrincipal");
        ServicePrincipal(v, r.GranteeServicePrincipal, "GranteeServicePrincipal");
        ServicePrincipal(v, r.RetiringServicePrincipal, "RetiringServicePrincipal");
        for (var i = 0; i < (r.Operations?.Count ?? 0); i++)
            v.Required(r.Operations![i], $"Operations.{i + 1}.member").Enum(r.Operations[i], $"Operations.{i + 1}.member", ModelEnums.GrantOperation);
        v.ThrowIfInvalid();
        if ((r.GranteePrincipal is null) == (r.GranteeServicePrincipal is null))
            throw KmsException.Validation("Specify exactly one of GranteePrincipal and GranteeServicePrincipal.");
        if (r.RetiringPrincipal is not null && r.RetiringServicePrincipal is not null)
            throw KmsException.Validation("Specify at most one of RetiringPrincipal and RetiringServicePrincipal.");
        if (r.Operations!.Count == 0) throw KmsException.Validation("Operations must name at least one grant operation.");
        if (r.Constraints is { EncryptionContextSubset: not null, EncryptionContextEquals: not null })
            throw KmsException.Validation("A grant constraint may have EncryptionContextSubset or EncryptionContextEquals, not both.");
        if (Constraints(r.Constraints)?.Characters > MaxConstraintCharacters)
            throw KmsException.Validation($"Grant constraints may hold at most {MaxConstraintCharacters} characters of encryption context.");

        var requested = new KeyGrant("", r.Name, default, r.GranteePrincipal, r.RetiringPrincipal, "",
            r.Operations.Select(o => o!).Distinct().ToList(), Constraints(r.Constraints), r.GranteeServicePrincipal, r.RetiringServicePrincipal);
        var created = await call.Key(call.ResolveKey(r.KeyId!)).CreateGrantAsync(call.CallerWith(r.GrantTokens), requested, r.DryRun == true);
        return KmsCall.Write(new CreateGrantResponse(created.GrantToken, created.GrantId), KmsGrantJsonContext.Default.CreateGrantResponse);
    }

    public static async ValueTask<byte[]> ListGrants(KmsCall call)
    {
        var r = call.Read(KmsGrantJsonContext.Default.ListGrantsRequest);
        var v = Paging(r).Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048).Length(r.GrantId, "GrantId", 1, 128);
        Principal(v, r.GranteePrincipal, "GranteePrincipal");
        ServicePrincipal(v, r.GranteeServicePrincipal, "GranteeServicePrincipal");
        v.ThrowIfInvalid();
        if (r.GrantId is not null && !GrantIds.IsValid(r.GrantId)) throw InvalidGrantId(r.GrantId);
        var page = await call.Key(call.ResolveKey(r.KeyId!)).ListGrantsAsync(call.Caller, r.Limit ?? 50, r.Marker, r.GrantId, r.GranteePrincipal, r.GranteeServicePrincipal);
        return Write(page);
    }

    public static async ValueTask<byte[]> ListRetirableGrants(KmsCall call)
    {
        var r = call.Read(KmsGrantJsonContext.Default.ListGrantsRequest);
        var v = Paging(r);
        Principal(v, r.RetiringPrincipal, "RetiringPrincipal");
        ServicePrincipal(v, r.RetiringServicePrincipal, "RetiringServicePrincipal");
        v.ThrowIfInvalid();
        if ((r.RetiringPrincipal is null) == (r.RetiringServicePrincipal is null))
            throw KmsException.Validation("Specify exactly one of RetiringPrincipal and RetiringServicePrincipal.");
        var indexKey = r.RetiringPrincipal is not null ? "principal:" + r.RetiringPrincipal : "service:" + r.RetiringServicePrincipal;
        call.AuthorizeIdentity("kms:ListRetirableGrants");
        var index = call.Grains.GetGrain<IRetirableGrantsGrain>($"{call.Caller.AccountId}/{call.Region}/{indexKey}");
        return Write(await index.ListAsync(r.Limit ?? 50, r.Marker));
    }

    /// <summary>RetireGrant: by GrantToken, or by KeyId and GrantId.</summary>
    public static async ValueTask<byte[]> RetireGrant(KmsCall call)
    {
        var r = call.Read(KmsGrantJsonContext.Default.RetireGrantRequest);
        new RequestValidator()
            .Length(r.GrantToken, "GrantToken", 1, 8192).Length(r.KeyId, "KeyId", 1, 2048).Length(r.GrantId, "GrantId", 1, 128)
            .ThrowIfInvalid();
        KeyArn key;
        string grantId;
        if (r.GrantToken is not null)
        {
            (key, grantId) = GrantIds.ParseToken(r.GrantToken);
            if (r.GrantId is not null && r.GrantId != grantId) throw InvalidGrantId(r.GrantId);
            if (key.Region != call.Region) throw new KmsException(KmsErrorCode.NotFoundException, $"Invalid arn {key.Region}");
        }
        else if (r.KeyId is not null && r.GrantId is not null)
        {
            key = call.ResolveKey(r.KeyId);
            grantId = r.GrantId;
        }
        else
        {
            throw KmsException.Validation("Specify GrantToken, or KeyId and GrantId.");
        }

        if (!GrantIds.IsValid(grantId)) throw InvalidGrantId(grantId);
        await call.Key(key).RemoveGrantAsync(call.Caller, grantId, r.DryRun == true);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> RevokeGrant(KmsCall call)
    {
        var r = call.Read(KmsGrantJsonContext.Default.RetireGrantRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.GrantId, "GrantId").Length(r.GrantId, "GrantId", 1, 128)
            .ThrowIfInvalid();
        var key = call.ResolveKey(r.KeyId!);
        if (!GrantIds.IsValid(r.GrantId)) throw InvalidGrantId(r.GrantId!);
        await call.Key(key).RemoveGrantAsync(call.Caller, r.GrantId!, r.DryRun == true, revoke: true);
        return Empty.Body;
    }

    private static RequestValidator Paging(ListGrantsRequest r) =>
        new RequestValidator().Range(r.Limit, "Limit", 1, 100).Length(r.Marker, "Marker", 1, 1024);

    private static RequestValidator Name(this RequestValidator v, string? name) =>
        v.Length(name, "Name", 1, 256).Pattern(name, "Name", c => char.IsAsciiLetterOrDigit(c) || c is ':' or '/' or '_' or '-', "^[a-zA-Z0-9:/_-]+$");

    private static void Principal(RequestValidator v, string? value, string member) =>
        v.Length(value, member, 1, 256).Pattern(value, member, c => char.IsAsciiLetterOrDigit(c) || c is '_' or '+' or '=' or ',' or '.' or '@' or ':' or '/' or '-', PrincipalPattern);

    private static void ServicePrincipal(RequestValidator v, string? value, string member)
    {
        v.Length(value, member, 1, 128).Pattern(value, member, c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.', ServicePrincipalPattern);
        if (value is not null && value.Split('.').Length < 3) v.Pattern("", member, _ => false, ServicePrincipalPattern);
    }

    private static GrantConstraints? Constraints(GrantConstraintsDto? c) =>
        c is null ? null : new GrantConstraints(Map(c.EncryptionContextSubset), Map(c.EncryptionContextEquals), c.SourceArn);

    private static Dictionary<string, string>? Map(Dictionary<string, string?>? context) =>
        context?.ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal);

    private static KmsException InvalidGrantId(string grantId) => new(KmsErrorCode.InvalidGrantIdException, $"Invalid grant ID: {grantId}");

    private static byte[] Write(GrantPage page) =>
        KmsCall.Write(new ListGrantsResponse(page.Grants.Select(ToWire).ToList(), page.NextMarker, page.NextMarker is not null),
            KmsGrantJsonContext.Default.ListGrantsResponse);

    private static GrantListEntryDto ToWire(ListedGrant listed)
    {
        var g = listed.Grant;
        var c = g.Constraints;
        return new GrantListEntryDto(listed.KeyArn, g.GrantId, g.Name, WireTime.Of(g.CreationDate), g.GranteePrincipal, g.RetiringPrincipal,
            g.IssuingAccount, g.Operations, c is null ? null : new GrantConstraintsWire(c.EncryptionContextSubset, c.EncryptionContextEquals, c.SourceArn),
            g.GranteeServicePrincipal, g.RetiringServicePrincipal);
    }
}

// Wire shapes of the grant operations.

public sealed class GrantConstraintsDto
{
    public Dictionary<string, string?>? EncryptionContextSubset { get; init; }
    public Dictionary<string, string?>? EncryptionContextEquals { get; init; }
    public string? SourceArn { get; init; }
}

public sealed class CreateGrantRequest
{
    public string? KeyId { get; init; }
    public string? GranteePrincipal { get; init; }
    public string? RetiringPrincipal { get; init; }
    public List<string?>? Operations { get; init; }
    public GrantConstraintsDto? Constraints { get; init; }
    public List<string?>? GrantTokens { get; init; }
    public string? Name { get; init; }
    public bool? DryRun { get; init; }
    public string? GranteeServicePrincipal { get; init; }
    public string? RetiringServicePrincipal { get; init; }
}

public sealed record CreateGrantResponse(string GrantToken, string GrantId);

public sealed class ListGrantsRequest
{
    public int? Limit { get; init; }
    public string? Marker { get; init; }
    public string? KeyId { get; init; }
    public string? GrantId { get; init; }
    public string? GranteePrincipal { get; init; }
    public string? GranteeServicePrincipal { get; init; }
    public string? RetiringPrincipal { get; init; }
    public string? RetiringServicePrincipal { get; init; }
}

public sealed class RetireGrantRequest
{
    public string? GrantToken { get; init; }
    public string? KeyId { get; init; }
    public string? GrantId { get; init; }
    public bool? DryRun { get; init; }
}

public sealed record GrantConstraintsWire(
    Dictionary<string, string>? EncryptionContextSubset, Dictionary<string, string>? EncryptionContextEquals, string? SourceArn);

public sealed record GrantListEntryDto(
    string KeyId,
    string GrantId,
    string? Name,
    double CreationDate,
    string? GranteePrincipal,
    string? RetiringPrincipal,
    string IssuingAccount,
    IReadOnlyList<string> Operations,
    GrantConstraintsWire? Constraints,
    string? GranteeServicePrincipal,
    string? RetiringServicePrincipal);

public sealed record ListGrantsResponse(IReadOnlyList<GrantListEntryDto> Grants, string? NextMarker, bool Truncated);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(CreateGrantRequest))]
[JsonSerializable(typeof(CreateGrantResponse))]
[JsonSerializable(typeof(ListGrantsRequest))]
[JsonSerializable(typeof(RetireGrantRequest))]
[JsonSerializable(typeof(ListGrantsResponse))]
public sealed partial class KmsGrantJsonContext : JsonSerializerContext;
