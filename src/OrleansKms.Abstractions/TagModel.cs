namespace OrleansKms;

/// <summary>One page of a key's tags.</summary>
[GenerateSerializer, Immutable]
public sealed record TagPage(
    [property: Id(0)] IReadOnlyList<KeyTag> Tags,
    [property: Id(1)] string? NextMarker);

// The tag operations of the key (the rest of IKeyGrain: KeyManagementModel.cs; KeyTag is there too).
public partial interface IKeyGrain
{
    Task TagAsync(KmsCaller caller, IReadOnlyList<KeyTag> tags);

    Task UntagAsync(KmsCaller caller, IReadOnlyList<string> tagKeys);

    Task<TagPage> ListTagsAsync(KmsCaller caller, int limit, string? marker);
}
