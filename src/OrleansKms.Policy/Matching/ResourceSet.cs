namespace OrleansKms.Policy.Matching;

/// <summary>The Resource (or NotResource) of a statement: ARN patterns, with policy variables where the version allows.</summary>
internal sealed class ResourceSet
{
    private readonly PolicyTemplate[] _patterns;
    private readonly bool _everything;

    public ResourceSet(IReadOnlyList<string> resources, bool negated, bool variables)
    {
        Negated = negated;
        _everything = resources.Any(r => r == "*");
        _patterns = [.. resources.Where(r => r != "*").Select(r => PolicyTemplate.Compile(r, GlobMode.Arn, variables))];
    }

    public bool Negated { get; }

    /// <summary>
    /// Whether the statement applies to the request's resource. A pattern whose variable has no value matches
    /// nothing, and for NotResource it keeps the statement from applying at all, as IAM treats an unresolved variable.
    /// </summary>
    public bool Applies(RequestContext request)
    {
        var resource = request.Resource;
        var listed = _everything;
        var invalid = false;
        for (var i = 0; !listed && i < _patterns.Length; i++)
        {
            var outcome = _patterns[i].Match(resource, request);
            listed = outcome == Outcome.Match;
            invalid |= outcome == Outcome.Invalid;
        }

        return Negated ? !listed && !invalid : listed;
    }
}
