using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>Tag checks as AWS makes them: lengths are ValidationExceptions, the rules are TagExceptions.</summary>
internal static class Tags
{
    public const int MaxTags = 50;

    public static List<KeyTag> Validate(List<TagDto?>? tags, RequestValidator v)
    {
        var result = new List<KeyTag>();
        if (tags is null) return result;
        for (var i = 0; i < tags.Count; i++)
        {
            var member = $"Tags.{i + 1}.member";
            var t = tags[i];
            v.Required(t, member);
            if (t is null) continue;
            v.Required(t.TagKey, $"{member}.tagKey").Length(t.TagKey, $"{member}.tagKey", 1, 128)
             .Required(t.TagValue, $"{member}.tagValue").Length(t.TagValue, $"{member}.tagValue", 0, 256);
            if (t.TagKey is not null && t.TagValue is not null) result.Add(new KeyTag(t.TagKey, t.TagValue));
        }

        return result;
    }

    public static void CheckRules(IReadOnlyList<KeyTag> tags)
    {
        if (tags.Count > MaxTags) throw new KmsException(KmsErrorCode.TagException, "Too many tags");
        if (tags.Any(t => t.TagKey.StartsWith("aws:", StringComparison.OrdinalIgnoreCase)))
            throw new KmsException(KmsErrorCode.TagException, "Tags beginning with aws: are reserved");
        if (tags.Select(t => t.TagKey).Distinct(StringComparer.Ordinal).Count() != tags.Count)
            throw new KmsException(KmsErrorCode.TagException, "Duplicate tag keys");
    }
}
