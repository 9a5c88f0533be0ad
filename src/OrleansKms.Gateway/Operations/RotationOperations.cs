using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations.</summary>
internal static class Rotation
{
    public static async ValueTask<byte[]> Enable(KmsCall call)
    {
        var r = call.Read(KmsLifecycleJsonContext.Default.EnableKeyRotationRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Range(r.RotationPeriodInDays, "RotationPeriodInDays", 90, 2560)
            .ThrowIfInvalid();
        await call.Key(call.ResolveKey(r.KeyId!)).EnableRotationAsync(call.Caller, r.RotationPeriodInDays ?? 365);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> Disable(KmsCall call)
    {
        await call.Key(EnableKey.KeyIdOnly(call)).DisableRotationAsync(call.Caller);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> Status(KmsCall call)
    {
        var s = await call.Key(EnableKey.KeyIdOnly(call)).GetRotationStatusAsync(call.Caller);
        return KmsCall.Write(new GetKeyRotationStatusResponse(s.KeyRotationEnabled, s.KeyArn, s.RotationPeriodInDays,
            WireTime.Of(s.NextRotationDate), WireTime.Of(s.OnDemandRotationStartDate)), KmsLifecycleJsonContext.Default.GetKeyRotationStatusResponse);
    }

    public static async ValueTask<byte[]> OnDemand(KmsCall call)
    {
        var arn = EnableKey.KeyIdOnly(call);
        await call.Key(arn).RotateOnDemandAsync(call.Caller);
        return KmsCall.Write(new KeyIdResponse(arn.Value), KmsLifecycleJsonContext.Default.KeyIdResponse);
    }

    public static async ValueTask<byte[]> List(KmsCall call)
    {
        var r = call.Read(KmsLifecycleJsonContext.Default.PagedKeyRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Range(r.Limit, "Limit", 1, 1000)
            .Length(r.Marker, "Marker", 1, 1024)
            .Enum(r.IncludeKeyMaterial, "IncludeKeyMaterial", ["ALL_KEY_MATERIAL", "ROTATIONS_ONLY"])
            .ThrowIfInvalid();
        var arn = call.ResolveKey(r.KeyId!);
        var page = await call.Key(arn).ListRotationsAsync(call.Caller, r.Limit ?? 100, r.Marker, r.IncludeKeyMaterial == "ALL_KEY_MATERIAL");
        var entries = page.Rotations.Select(x => new RotationsListEntryDto(arn.Value, x.KeyMaterialId,
            x.Current ? "CURRENT" : "NON_CURRENT", WireTime.Of(x.RotationDate), x.RotationType)).ToList();
        return KmsCall.Write(new ListKeyRotationsResponse(entries, page.NextMarker, page.NextMarker is not null),
            KmsLifecycleJsonContext.Default.ListKeyRotationsResponse);
    }
}

/// <summary>ScheduleKeyDeletion, CancelKeyDeletion.</summary>
internal static class Deletion
{
    public static async ValueTask<byte[]> Schedule(KmsCall call)
    {
        var r = call.Read(KmsLifecycleJsonContext.Default.ScheduleKeyDeletionRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Range(r.PendingWindowInDays, "PendingWindowInDays", 7, 30)
            .ThrowIfInvalid();
        var d = await call.Key(call.ResolveKey(r.KeyId!)).ScheduleDeletionAsync(call.Caller, r.PendingWindowInDays ?? 30);
        return KmsCall.Write(new ScheduleKeyDeletionResponse(d.KeyArn, WireTime.Of(d.DeletionDate), d.KeyState.ToString(), d.PendingWindowInDays),
            KmsLifecycleJsonContext.Default.ScheduleKeyDeletionResponse);
    }

    public static async ValueTask<byte[]> Cancel(KmsCall call)
    {
        var arn = EnableKey.KeyIdOnly(call);
        await call.Key(arn).CancelDeletionAsync(call.Caller);
        return KmsCall.Write(new KeyIdResponse(arn.Value), KmsLifecycleJsonContext.Default.KeyIdResponse);
    }
}
