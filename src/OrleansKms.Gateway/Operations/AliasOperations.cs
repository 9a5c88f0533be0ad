using System.Text.Json.Serialization;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>CreateAlias, UpdateAlias, DeleteAlias, ListAliases.</summary>
internal static class AliasOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("CreateAlias", CreateAlias),
        ("UpdateAlias", UpdateAlias),
        ("DeleteAlias", DeleteAlias),
        ("ListAliases", ListAliases),
    ];

    public static async ValueTask<byte[]> CreateAlias(KmsCall call)
    {
        var (name, target) = Read(call, targetRequired: true);
        AliasNames.EnsureCreatable(name);
        await Grain(call, name).CreateAsync(call.Caller, call.ResolveKey(target!));
        return Empty.Body;
    }

    public static async ValueTask<byte[]> UpdateAlias(KmsCall call)
    {
        var (name, target) = Read(call, targetRequired: true);
        if (!name.StartsWith(AliasNames.Prefix, StringComparison.Ordinal)) AliasNames.EnsureCreatable(name);
        await Grain(call, name).UpdateAsync(call.Caller, call.ResolveKey(target!));
        return Empty.Body;
    }

    public static async ValueTask<byte[]> DeleteAlias(KmsCall call)
    {
        var (name, _) = Read(call, targetRequired: false);
        if (!name.StartsWith(AliasNames.Prefix, StringComparison.Ordinal)) AliasNames.EnsureCreatable(name);
        await Grain(call, name).DeleteAsync(call.Caller);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> ListAliases(KmsCall call)
    {
        var r = call.Read(KmsAliasJsonContext.Default.ListAliasesRequest);
        new RequestValidator()
            .Length(r.KeyId, "KeyId", 1, 2048)
            .Range(r.Limit, "Limit", 1, 100)
            .Length(r.Marker, "Marker", 1, 1024)
            .ThrowIfInvalid();
        call.AuthorizeIdentity("kms:ListAliases");
        string? keyId = null;
        if (r.KeyId is not null)
        {
            var arn = call.ResolveKey(r.KeyId);
            await call.Key(arn).GetSnapshotAsync(); // NotFoundException for a key that does not exist
            keyId = arn.KeyId;
        }

        var page = await call.Grains.GetGrain<IAliasCatalogGrain>($"{call.Caller.AccountId}/{call.Region}")
            .ListAsync(keyId, r.Limit ?? 50, r.Marker);
        var entries = page.Aliases.Select(a => new AliasListEntryDto(
            a.AliasName, AliasNames.Arn(call.Caller.AccountId, call.Region, a.AliasName), a.TargetKeyId,
            WireTime.Of(a.CreationDate), WireTime.Of(a.LastUpdatedDate))).ToList();
        return KmsCall.Write(new ListAliasesResponse(entries, page.NextMarker, page.NextMarker is not null),
            KmsAliasJsonContext.Default.ListAliasesResponse);
    }

    private static (string Name, string? Target) Read(KmsCall call, bool targetRequired)
    {
        var r = call.Read(KmsAliasJsonContext.Default.AliasRequest);
        var v = new RequestValidator()
            .Required(r.AliasName, "AliasName").Length(r.AliasName, "AliasName", 1, 256)
            .Pattern(r.AliasName, "AliasName", c => char.IsAsciiLetterOrDigit(c) || c is ':' or '/' or '_' or '-', "^[a-zA-Z0-9:/_-]+$");
        if (targetRequired) v.Required(r.TargetKeyId, "TargetKeyId").Length(r.TargetKeyId, "TargetKeyId", 1, 2048);
        v.ThrowIfInvalid();
        return (r.AliasName!, r.TargetKeyId);
    }

    private static IAliasGrain Grain(KmsCall call, string aliasName) =>
        call.Grains.GetGrain<IAliasGrain>(AliasNames.GrainKey(call.Caller.AccountId, call.Region, aliasName));
}

// Wire shapes of the alias operations.

public sealed class AliasRequest
{
    public string? AliasName { get; init; }
    public string? TargetKeyId { get; init; }
}

public sealed class ListAliasesRequest
{
    public string? KeyId { get; init; }
    public int? Limit { get; init; }
    public string? Marker { get; init; }
}

public sealed record AliasListEntryDto(string AliasName, string AliasArn, string TargetKeyId, double CreationDate, double LastUpdatedDate);

public sealed record ListAliasesResponse(IReadOnlyList<AliasListEntryDto> Aliases, string? NextMarker, bool Truncated);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(AliasRequest))]
[JsonSerializable(typeof(ListAliasesRequest))]
[JsonSerializable(typeof(ListAliasesResponse))]
public sealed partial class KmsAliasJsonContext : JsonSerializerContext;
