using System.Text.Json.Serialization;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>TagResource, UntagResource, ListResourceTags (the tag checks themselves: <see cref="Tags"/>).</summary>
internal static class TagOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("TagResource", TagResource),
        ("UntagResource", UntagResource),
        ("ListResourceTags", ListResourceTags),
    ];

    public static async ValueTask<byte[]> TagResource(KmsCall call)
    {
        var r = call.Read(KmsTagJsonContext.Default.TagResourceRequest);
        var v = new RequestValidator().Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048).Required(r.Tags, "Tags");
        var tags = Tags.Validate(r.Tags, v);
        v.ThrowIfInvalid();
        Tags.CheckRules(tags);
        await call.Key(call.ResolveKey(r.KeyId!)).TagAsync(call.Caller, tags);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> UntagResource(KmsCall call)
    {
        var r = call.Read(KmsTagJsonContext.Default.UntagResourceRequest);
        var v = new RequestValidator().Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048).Required(r.TagKeys, "TagKeys");
        for (var i = 0; i < (r.TagKeys?.Count ?? 0); i++)
            v.Required(r.TagKeys![i], $"TagKeys.{i + 1}.member").Length(r.TagKeys[i], $"TagKeys.{i + 1}.member", 1, 128);
        v.ThrowIfInvalid();
        await call.Key(call.ResolveKey(r.KeyId!)).UntagAsync(call.Caller, r.TagKeys!.Select(k => k!).ToList());
        return Empty.Body;
    }

    public static async ValueTask<byte[]> ListResourceTags(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.PagedKeyRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Range(r.Limit, "Limit", 1, 50)
            .Length(r.Marker, "Marker", 1, 1024)
            .ThrowIfInvalid();
        var page = await call.Key(call.ResolveKey(r.KeyId!)).ListTagsAsync(call.Caller, r.Limit ?? 50, r.Marker);
        return KmsCall.Write(new ListResourceTagsResponse(page.Tags.Select(t => new TagDto(t.TagKey, t.TagValue)).ToList(), page.NextMarker, page.NextMarker is not null),
            KmsTagJsonContext.Default.ListResourceTagsResponse);
    }
}

// Wire shapes of the tag operations (TagDto and PagedKeyRequest are shared: Protocol/WireModel.cs).

public sealed class TagResourceRequest
{
    public string? KeyId { get; init; }
    public List<TagDto?>? Tags { get; init; }
}

public sealed class UntagResourceRequest
{
    public string? KeyId { get; init; }
    public List<string?>? TagKeys { get; init; }
}

public sealed record ListResourceTagsResponse(IReadOnlyList<TagDto> Tags, string? NextMarker, bool Truncated);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(TagResourceRequest))]
[JsonSerializable(typeof(UntagResourceRequest))]
[JsonSerializable(typeof(ListResourceTagsResponse))]
public sealed partial class KmsTagJsonContext : JsonSerializerContext;
