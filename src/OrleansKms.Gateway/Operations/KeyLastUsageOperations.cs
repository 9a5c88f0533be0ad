using System.Text.Json.Serialization;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>
/// GetKeyLastUsage. The usage itself is recorded by <see cref="Usage.KeyLastUsageRecorder"/> from the answered
/// requests and reaches the key every few seconds, so the answer can be that much behind.
/// </summary>
internal static class KeyLastUsageOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("GetKeyLastUsage", GetKeyLastUsage),
    ];

    public static async ValueTask<byte[]> GetKeyLastUsage(KmsCall call)
    {
        var report = await call.Key(call.ReadKeyId()).GetLastUsageAsync(call.Caller);
        var usage = report.LastUsage is { } u ? new KeyLastUsageDataDto(u.Operation, WireTime.Of(u.Timestamp), u.EventId, u.RequestId) : null;
        return KmsCall.Write(new GetKeyLastUsageResponse(report.KeyArn, usage, WireTime.Of(report.TrackingStartDate), WireTime.Of(report.KeyCreationDate)),
            KmsKeyLastUsageJsonContext.Default.GetKeyLastUsageResponse);
    }
}

// Wire shapes of GetKeyLastUsage (the request is the shared KeyIdRequest: Protocol/WireModel.cs).

/// <summary>
/// KeyLastUsageData. CloudTrailEventId is the eventID of the request's audit record (absent with <c>--audit off</c>);
/// KmsRequestId is the x-amzn-RequestId of the request.
/// </summary>
public sealed record KeyLastUsageDataDto(string Operation, double Timestamp, string? CloudTrailEventId, string KmsRequestId);

public sealed record GetKeyLastUsageResponse(string KeyId, KeyLastUsageDataDto? KeyLastUsage, double TrackingStartDate, double KeyCreationDate);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(GetKeyLastUsageResponse))]
public sealed partial class KmsKeyLastUsageJsonContext : JsonSerializerContext;
