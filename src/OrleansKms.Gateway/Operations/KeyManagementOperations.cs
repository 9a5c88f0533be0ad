using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>CreateKey, DescribeKey, EnableKey, DisableKey, UpdateKeyDescription, ListKeys.</summary>
internal static partial class KeyManagementOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("CreateKey", CreateKey),
        ("DescribeKey", DescribeKey),
        ("EnableKey", EnableKey),
        ("DisableKey", DisableKey),
        ("UpdateKeyDescription", UpdateKeyDescription),
        ("ListKeys", ListKeys),
    ];

    public static async ValueTask<byte[]> CreateKey(KmsCall call)
    {
        var r = call.Read(KmsKeyManagementJsonContext.Default.CreateKeyRequest);
        var v = new RequestValidator()
            .Length(r.Policy, "Policy", 1, 131072).PolicyText(r.Policy)
            .Length(r.Description, "Description", 0, 8192)
            .Enum(r.KeyUsage, "KeyUsage", ModelEnums.KeyUsage)
            .Enum(r.CustomerMasterKeySpec, "CustomerMasterKeySpec", ModelEnums.CustomerMasterKeySpec)
            .Enum(r.KeySpec, "KeySpec", ModelEnums.KeySpec)
            .Enum(r.Origin, "Origin", ModelEnums.Origin)
            .Length(r.CustomKeyStoreId, "CustomKeyStoreId", 1, 64)
            .Length(r.XksKeyId, "XksKeyId", 1, 128);
        if (r.XksKeyId is { Length: >= 1 and <= 128 } && !XksKeyIdRegex().IsMatch(r.XksKeyId))
            v.Pattern(r.XksKeyId, "XksKeyId", _ => false, "^[a-zA-Z0-9-_.]+$");
        var tags = Tags.Validate(r.Tags, v);
        v.ThrowIfInvalid();
        Tags.CheckRules(tags);

        if (r.KeySpec is not null && r.CustomerMasterKeySpec is not null)
            throw KmsException.Validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.");
        var spec = r.KeySpec ?? r.CustomerMasterKeySpec ?? KmsValues.SymmetricDefault;
        if (r.KeyUsage is null && spec != KmsValues.SymmetricDefault)
            throw KmsException.Validation("You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.");
        var usage = r.KeyUsage ?? KmsValues.EncryptDecrypt;
        KeySpecRules.EnsureCreatable(spec, usage, call.Region);
        var origin = r.Origin ?? KmsValues.OriginAwsKms;
        var multiRegion = r.MultiRegion == true;
        CheckKeyStoreMembers(origin, spec, multiRegion, r.CustomKeyStoreId, r.XksKeyId);
        var arn = new KeyArn(call.Region, call.Caller.AccountId, multiRegion ? KeyIds.NewMultiRegion() : KeyIds.NewSingleRegion());
        var metadata = await call.Key(arn).CreateMintedAsync(new CreateKeyCommand
        {
            Caller = call.Caller,
            Description = r.Description ?? "",
            KeyUsage = usage,
            KeySpec = spec,
            Origin = origin,
            Tags = tags,
            Policy = r.Policy,
            BypassPolicyLockoutSafetyCheck = r.BypassPolicyLockoutSafetyCheck == true,
            MultiRegion = multiRegion,
            CustomKeyStoreId = r.CustomKeyStoreId,
            XksKeyId = r.XksKeyId,
        });
        return KmsCall.Write(new KeyMetadataResponse(Metadata.ToWire(metadata)), KmsJsonContext.Default.KeyMetadataResponse);
    }

    /// <summary>
    /// A key in a custom key store: Origin AWS_CLOUDHSM or EXTERNAL_KEY_STORE, with the store (and for an external key
    /// store the external key), and only a symmetric encryption single-Region key. A member the origin requires is
    /// missing: ValidationException; a member or kind of key the origin or a custom key store does not take:
    /// UnsupportedOperationException. Whether the store exists, is connected and has the external key is the store's to say.
    /// </summary>
    private static void CheckKeyStoreMembers(string origin, string spec, bool multiRegion, string? customKeyStoreId, string? xksKeyId)
    {
        var inKeyStore = origin is KeyStoreValues.OriginCloudHsm or KeyStoreValues.OriginExternalKeyStore;
        if (inKeyStore && customKeyStoreId is null)
            throw KmsException.Validation($"You must specify a CustomKeyStoreId value for KMS keys with an Origin of {origin}.");
        if (origin == KeyStoreValues.OriginExternalKeyStore && xksKeyId is null)
            throw KmsException.Validation("You must specify an XksKeyId value for KMS keys with an Origin of EXTERNAL_KEY_STORE.");
        if (!inKeyStore && customKeyStoreId is not null)
        {
            throw new KmsException(KmsErrorCode.UnsupportedOperationException,
                $"CustomKeyStoreId is valid only for KMS keys with an Origin of AWS_CLOUDHSM or EXTERNAL_KEY_STORE, not {origin}.");
        }

        if (origin != KeyStoreValues.OriginExternalKeyStore && xksKeyId is not null)
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, $"XksKeyId is valid only for KMS keys with an Origin of EXTERNAL_KEY_STORE, not {origin}.");
        if (inKeyStore && spec != KmsValues.SymmetricDefault)
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, $"KMS keys in a custom key store must have a KeySpec of SYMMETRIC_DEFAULT, not {spec}.");
        if (inKeyStore && multiRegion)
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, "You cannot create a multi-Region key in a custom key store.");
    }

    public static async ValueTask<byte[]> DescribeKey(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.KeyIdRequest);
        new RequestValidator().Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048).GrantTokens(r.GrantTokens, checkIssued: false).ThrowIfInvalid();
        var metadata = await call.Key(await call.ResolveKeyOrAliasAsync(r.KeyId!)).DescribeAsync(call.CallerWith(r.GrantTokens?.Where(t => t is not null && GrantIds.IsToken(t)).ToList()));
        return KmsCall.Write(new KeyMetadataResponse(Metadata.ToWire(metadata)), KmsJsonContext.Default.KeyMetadataResponse);
    }

    public static async ValueTask<byte[]> EnableKey(KmsCall call)
    {
        await call.Key(call.ReadKeyId()).EnableAsync(call.Caller);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> DisableKey(KmsCall call)
    {
        await call.Key(call.ReadKeyId()).DisableAsync(call.Caller);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> UpdateKeyDescription(KmsCall call)
    {
        var r = call.Read(KmsKeyManagementJsonContext.Default.UpdateKeyDescriptionRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.Description, "Description").Length(r.Description, "Description", 0, 8192)
            .ThrowIfInvalid();
        await call.Key(call.ResolveKey(r.KeyId!)).UpdateDescriptionAsync(call.Caller, r.Description!);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> ListKeys(KmsCall call)
    {
        var r = call.Read(KmsKeyManagementJsonContext.Default.ListKeysRequest);
        new RequestValidator()
            .Range(r.Limit, "Limit", 1, 1000)
            .Length(r.Marker, "Marker", 1, 1024)
            .Pattern(r.Marker, "Marker", c => c is >= '\u0020' and <= '\u00FF', "[\\u0020-\\u00FF]*")
            .ThrowIfInvalid();
        if (r.Marker is not null && !KeyIds.IsValid(r.Marker))
            throw new KmsException(KmsErrorCode.InvalidMarkerException, "Invalid marker");
        call.AuthorizeIdentity("kms:ListKeys");
        var page = await call.Grains.GetGrain<IKeyCatalogGrain>($"{call.Caller.AccountId}/{call.Region}")
            .ListAsync(r.Limit ?? 100, r.Marker);
        var keys = page.KeyIds.Select(id => new KeyListEntryDto(id, new KeyArn(call.Region, call.Caller.AccountId, id).Value)).ToList();
        return KmsCall.Write(new ListKeysResponse(keys, page.NextMarker, page.NextMarker is not null), KmsKeyManagementJsonContext.Default.ListKeysResponse);
    }

    // The model's ^[a-zA-Z0-9-_.]+$, ending in \z: .NET's $ would also accept a trailing newline.
    [GeneratedRegex(@"^[a-zA-Z0-9_.\-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex XksKeyIdRegex();
}

// Wire shapes of the key-management operations (KeyMetadataResponse and KeyIdRequest are shared: Protocol/WireModel.cs).

public sealed class CreateKeyRequest
{
    public string? Policy { get; init; }
    public string? Description { get; init; }
    public string? KeyUsage { get; init; }
    public string? CustomerMasterKeySpec { get; init; }
    public string? KeySpec { get; init; }
    public string? Origin { get; init; }
    public string? CustomKeyStoreId { get; init; }
    public bool? BypassPolicyLockoutSafetyCheck { get; init; }
    public List<TagDto?>? Tags { get; init; }
    public bool? MultiRegion { get; init; }
    public string? XksKeyId { get; init; }
}

public sealed class UpdateKeyDescriptionRequest
{
    public string? KeyId { get; init; }
    public string? Description { get; init; }
}

public sealed class ListKeysRequest
{
    public int? Limit { get; init; }
    public string? Marker { get; init; }
}

public sealed record KeyListEntryDto(string KeyId, string KeyArn);

public sealed record ListKeysResponse(IReadOnlyList<KeyListEntryDto> Keys, string? NextMarker, bool Truncated);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict,
    AllowTrailingCommas = false,
    ReadCommentHandling = JsonCommentHandling.Disallow)]
[JsonSerializable(typeof(CreateKeyRequest))]
[JsonSerializable(typeof(UpdateKeyDescriptionRequest))]
[JsonSerializable(typeof(ListKeysRequest))]
[JsonSerializable(typeof(ListKeysResponse))]
public sealed partial class KmsKeyManagementJsonContext : JsonSerializerContext;
