using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>TagResource, UntagResource, ListResourceTags.</summary>
internal static class TagResources
{
    public static async ValueTask<byte[]> Tag(KmsCall call)
    {
        var r = call.Read(KmsLifecycleJsonContext.Default.TagResourceRequest);
        var v = new RequestValidator().Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048).Required(r.Tags, "Tags");
        var tags = Tags.Validate(r.Tags, v);
        v.ThrowIfInvalid();
        Tags.CheckRules(tags);
        await call.Key(call.ResolveKey(r.KeyId!)).TagAsync(call.Caller, tags);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> Untag(KmsCall call)
    {
        var r = call.Read(KmsLifecycleJsonContext.Default.UntagResourceRequest);
        var v = new RequestValidator().Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048).Required(r.TagKeys, "TagKeys");
        for (var i = 0; i < (r.TagKeys?.Count ?? 0); i++)
            v.Required(r.TagKeys![i], $"TagKeys.{i + 1}.member").Length(r.TagKeys[i], $"TagKeys.{i + 1}.member", 1, 128);
        v.ThrowIfInvalid();
        await call.Key(call.ResolveKey(r.KeyId!)).UntagAsync(call.Caller, r.TagKeys!.Select(k => k!).ToList());
        return Empty.Body;
    }

    public static async ValueTask<byte[]> List(KmsCall call)
    {
        var r = call.Read(KmsLifecycleJsonContext.Default.PagedKeyRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Range(r.Limit, "Limit", 1, 50)
            .Length(r.Marker, "Marker", 1, 1024)
            .ThrowIfInvalid();
        var page = await call.Key(call.ResolveKey(r.KeyId!)).ListTagsAsync(call.Caller, r.Limit ?? 50, r.Marker);
        return KmsCall.Write(new ListResourceTagsResponse(page.Tags.Select(t => new TagDto(t.TagKey, t.TagValue)).ToList(), page.NextMarker, page.NextMarker is not null),
            KmsLifecycleJsonContext.Default.ListResourceTagsResponse);
    }
}
