using System.Text.Json.Serialization;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>ScheduleKeyDeletion, CancelKeyDeletion.</summary>
internal static class DeletionOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("ScheduleKeyDeletion", ScheduleKeyDeletion),
        ("CancelKeyDeletion", CancelKeyDeletion),
    ];

    public static async ValueTask<byte[]> ScheduleKeyDeletion(KmsCall call)
    {
        var r = call.Read(KmsDeletionJsonContext.Default.ScheduleKeyDeletionRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Range(r.PendingWindowInDays, "PendingWindowInDays", 7, 30)
            .ThrowIfInvalid();
        var d = await call.Key(call.ResolveKey(r.KeyId!)).ScheduleDeletionAsync(call.Caller, r.PendingWindowInDays ?? 30);
        return KmsCall.Write(new ScheduleKeyDeletionResponse(d.KeyArn, d.DeletionDate is { } date ? WireTime.Of(date) : null, d.KeyState.ToString(), d.PendingWindowInDays),
            KmsDeletionJsonContext.Default.ScheduleKeyDeletionResponse);
    }

    public static async ValueTask<byte[]> CancelKeyDeletion(KmsCall call)
    {
        var arn = call.ReadKeyId();
        await call.Key(arn).CancelDeletionAsync(call.Caller);
        return KmsCall.Write(new KeyIdResponse(arn.Value), KmsJsonContext.Default.KeyIdResponse);
    }
}

// Wire shapes of the deletion operations (KeyIdResponse is shared: Protocol/WireModel.cs).

public sealed class ScheduleKeyDeletionRequest
{
    public string? KeyId { get; init; }
    public int? PendingWindowInDays { get; init; }
}

/// <summary>ScheduleKeyDeletion's answer; a primary with replicas (PendingReplicaDeletion) has no DeletionDate yet.</summary>
public sealed record ScheduleKeyDeletionResponse(string KeyId, double? DeletionDate, string KeyState, int PendingWindowInDays);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ScheduleKeyDeletionRequest))]
[JsonSerializable(typeof(ScheduleKeyDeletionResponse))]
public sealed partial class KmsDeletionJsonContext : JsonSerializerContext;
