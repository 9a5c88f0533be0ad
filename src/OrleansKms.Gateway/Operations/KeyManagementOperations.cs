using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>CreateKey.</summary>
internal static class CreateKey
{
    public static async ValueTask<byte[]> Handle(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.CreateKeyRequest);
        var v = new RequestValidator()
            .Length(r.Policy, "Policy", 1, 131072).PolicyText(r.Policy)
            .Length(r.Description, "Description", 0, 8192)
            .Enum(r.KeyUsage, "KeyUsage", ModelEnums.KeyUsage)
            .Enum(r.CustomerMasterKeySpec, "CustomerMasterKeySpec", ModelEnums.CustomerMasterKeySpec)
            .Enum(r.KeySpec, "KeySpec", ModelEnums.KeySpec)
            .Enum(r.Origin, "Origin", ModelEnums.Origin)
            .Length(r.CustomKeyStoreId, "CustomKeyStoreId", 1, 64)
            .Length(r.XksKeyId, "XksKeyId", 1, 128);
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
        if (origin != KmsValues.OriginAwsKms || r.CustomKeyStoreId is not null || r.XksKeyId is not null)
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, $"Origin {origin} and custom key stores are not supported by this service yet.");
        if (r.MultiRegion == true)
            throw new KmsException(KmsErrorCode.UnsupportedOperationException, "Multi-Region keys are not supported by this service yet.");
        if (r.Policy is not null) KeyPolicyDocument.Check(r.Policy, call.Caller, call.Region, r.BypassPolicyLockoutSafetyCheck == true);

        var arn = new KeyArn(call.Region, call.Caller.AccountId, KeyIds.NewSingleRegion());
        var metadata = await call.Key(arn).CreateAsync(new CreateKeyCommand
        {
            Caller = call.Caller,
            Description = r.Description ?? "",
            KeyUsage = usage,
            KeySpec = spec,
            Origin = origin,
            Tags = tags,
            Policy = r.Policy,
        });
        return KmsCall.Write(new KeyMetadataResponse(Metadata.ToWire(metadata)), KmsJsonContext.Default.KeyMetadataResponse);
    }
}

/// <summary>DescribeKey.</summary>
internal static class DescribeKey
{
    public static async ValueTask<byte[]> Handle(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.KeyIdRequest);
        new RequestValidator().Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048).GrantTokens(r.GrantTokens, checkIssued: false).ThrowIfInvalid();
        var metadata = await call.Key(await call.ResolveKeyOrAliasAsync(r.KeyId!)).DescribeAsync(call.Caller);
        return KmsCall.Write(new KeyMetadataResponse(Metadata.ToWire(metadata)), KmsJsonContext.Default.KeyMetadataResponse);
    }
}

/// <summary>EnableKey.</summary>
internal static class EnableKey
{
    public static async ValueTask<byte[]> Handle(KmsCall call)
    {
        var arn = KeyIdOnly(call);
        await call.Key(arn).EnableAsync(call.Caller);
        return Empty.Body;
    }

    internal static KeyArn KeyIdOnly(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.KeyIdRequest);
        new RequestValidator().Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048).ThrowIfInvalid();
        return call.ResolveKey(r.KeyId!);
    }
}

/// <summary>DisableKey.</summary>
internal static class DisableKey
{
    public static async ValueTask<byte[]> Handle(KmsCall call)
    {
        var arn = EnableKey.KeyIdOnly(call);
        await call.Key(arn).DisableAsync(call.Caller);
        return Empty.Body;
    }
}

/// <summary>UpdateKeyDescription.</summary>
internal static class UpdateKeyDescription
{
    public static async ValueTask<byte[]> Handle(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.UpdateKeyDescriptionRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Required(r.Description, "Description").Length(r.Description, "Description", 0, 8192)
            .ThrowIfInvalid();
        await call.Key(call.ResolveKey(r.KeyId!)).UpdateDescriptionAsync(call.Caller, r.Description!);
        return Empty.Body;
    }
}

/// <summary>ListKeys.</summary>
internal static class ListKeys
{
    public static async ValueTask<byte[]> Handle(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.ListKeysRequest);
        new RequestValidator()
            .Range(r.Limit, "Limit", 1, 1000)
            .Length(r.Marker, "Marker", 1, 1024)
            .Pattern(r.Marker, "Marker", c => c is >= '\u0020' and <= '\u00FF', "[\\u0020-\\u00FF]*")
            .ThrowIfInvalid();
        if (r.Marker is not null && !KeyIds.IsValid(r.Marker))
            throw new KmsException(KmsErrorCode.InvalidMarkerException, "Invalid marker");
        var page = await call.Grains.GetGrain<IKeyCatalogGrain>($"{call.Caller.AccountId}/{call.Region}")
            .ListAsync(r.Limit ?? 100, r.Marker);
        var keys = page.KeyIds.Select(id => new KeyListEntryDto(id, new KeyArn(call.Region, call.Caller.AccountId, id).Value)).ToList();
        return KmsCall.Write(new ListKeysResponse(keys, page.NextMarker, page.NextMarker is not null), KmsJsonContext.Default.ListKeysResponse);
    }
}

internal static class Empty
{
    public static readonly byte[] Body = "{}"u8.ToArray();
}

internal static class Metadata
{
    public static KeyMetadataDto ToWire(KeyMetadata m) => new()
    {
        AwsAccountId = m.AccountId,
        KeyId = m.KeyId,
        Arn = m.Arn,
        CreationDate = m.CreationDate.ToUnixTimeMilliseconds() / 1000.0,
        Enabled = m.Enabled,
        Description = m.Description,
        KeyUsage = m.KeyUsage,
        KeyState = m.KeyState.ToString(),
        DeletionDate = m.DeletionDate is { } d ? d.ToUnixTimeMilliseconds() / 1000.0 : null,
        Origin = m.Origin,
        KeyManager = m.KeyManager,
        CustomerMasterKeySpec = m.KeySpec,
        KeySpec = m.KeySpec,
        EncryptionAlgorithms = m.EncryptionAlgorithms.Count > 0 ? m.EncryptionAlgorithms : null,
        SigningAlgorithms = m.SigningAlgorithms.Count > 0 ? m.SigningAlgorithms : null,
        MacAlgorithms = m.MacAlgorithms.Count > 0 ? m.MacAlgorithms : null,
        KeyAgreementAlgorithms = m.KeyAgreementAlgorithms.Count > 0 ? m.KeyAgreementAlgorithms : null,
        MultiRegion = m.MultiRegion,
        PendingDeletionWindowInDays = m.PendingDeletionWindowInDays,
        CurrentKeyMaterialId = m.CurrentKeyMaterialId,
    };
}
