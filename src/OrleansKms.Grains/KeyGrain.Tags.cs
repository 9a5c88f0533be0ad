using OrleansKms.Policy;
namespace OrleansKms.Grains;

/// <summary>Tags: TagResource, UntagResource, ListResourceTags.</summary>
public sealed partial class KeyGrain
{
    public const int MaxTags = 50;

    public async Task TagAsync(KmsCaller caller, IReadOnlyList<KeyTag> tags)
    {
        var current = Authorized(caller, "TagResource", new AccessRequest().RequestTags(tags));
        KeyStates.EnsureNotPendingDeletion(current.KeyState, Arn);
        var next = current.Clone();
        foreach (var tag in tags)
        {
            var at = next.Tags.FindIndex(t => t.TagKey == tag.TagKey);
            if (at >= 0) next.Tags[at] = tag;
            else next.Tags.Add(tag);
        }

        if (next.Tags.Count > MaxTags) throw new KmsException(KmsErrorCode.TagException, "Too many tags");
        await CommitAndPublishAsync(next);
    }

    public async Task UntagAsync(KmsCaller caller, IReadOnlyList<string> tagKeys)
    {
        var current = Authorized(caller, "UntagResource", new AccessRequest().With("aws:TagKeys", ConditionValue.Of(tagKeys)));
        KeyStates.EnsureNotPendingDeletion(current.KeyState, Arn);
        var next = current.Clone();
        next.Tags.RemoveAll(t => tagKeys.Contains(t.TagKey));
        if (next.Tags.Count != current.Tags.Count) await CommitAndPublishAsync(next);
    }

    /// <summary>Tags in the order they were first added; the marker is the index of the next tag.</summary>
    public Task<TagPage> ListTagsAsync(KmsCaller caller, int limit, string? marker)
    {
        var tags = Authorized(caller, "ListResourceTags").Tags;
        var start = Markers.Index(marker, tags.Count);
        var page = tags.Skip(start).Take(limit).ToList();
        var end = start + page.Count;
        return Task.FromResult(new TagPage(page, end < tags.Count ? end.ToString(System.Globalization.CultureInfo.InvariantCulture) : null));
    }
}

/// <summary>Positional paging markers: the index of the next item, as text.</summary>
internal static class Markers
{
    public static int Index(string? marker, int count)
    {
        if (marker is null) return 0;
        if (int.TryParse(marker, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var index) && index <= count)
            return index;
        throw new KmsException(KmsErrorCode.InvalidMarkerException, "Invalid marker");
    }
}
