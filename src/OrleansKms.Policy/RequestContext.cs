using System.Collections.Frozen;

namespace OrleansKms.Policy;

/// <summary>
/// The request being authorized: who calls, the action ("kms:Encrypt"), the resource (a key ARN, an alias ARN, or
/// "*" for operations on no key), and the condition keys of the request. Key names are case-insensitive; give an
/// OrdinalIgnoreCase dictionary to avoid a copy. The evaluator supplies the principal's global keys
/// (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:userid, aws:username, aws:PrincipalTag/*) and the
/// time keys (aws:CurrentTime, aws:EpochTime from <see cref="Now"/>) itself when the request does not.
/// </summary>
public sealed class RequestContext
{
    private static readonly IReadOnlyDictionary<string, ConditionValue> NoKeys =
        new Dictionary<string, ConditionValue>(StringComparer.OrdinalIgnoreCase);

    private readonly IReadOnlyDictionary<string, ConditionValue> _keys = NoKeys;

    /// <summary>The caller.</summary>
    public required CallerPrincipal Principal { get; init; }

    /// <summary>The action, service prefix included: "kms:Encrypt".</summary>
    public required string Action { get; init; }

    /// <summary>The resource: a key ARN, an alias ARN, or "*".</summary>
    public required string Resource { get; init; }

    /// <summary>The request's condition keys (kms:*, aws:SourceIp, aws:RequestTag/*, ...), each with one or more values.</summary>
    public IReadOnlyDictionary<string, ConditionValue> ConditionKeys
    {
        get => _keys;
        init => _keys = IgnoringCase(value);
    }

    /// <summary>
    /// Condition keys shared by many requests, looked up before <see cref="ConditionKeys"/> (a name in both takes these
    /// values): the key's (kms:KeySpec, aws:ResourceTag/*, ...) and the caller's (kms:CallerAccount, aws:SourceIp, ...),
    /// each built once and reused, so a request builds only its own keys. Case-insensitive (OrdinalIgnoreCase) like
    /// <see cref="ConditionKeys"/>; null entries are skipped.
    /// </summary>
    public IReadOnlyDictionary<string, ConditionValue>? KeyConditionKeys { get; init; }

    /// <inheritdoc cref="KeyConditionKeys"/>
    public IReadOnlyDictionary<string, ConditionValue>? CallerConditionKeys { get; init; }

    /// <summary>A condition key's values from any of the request's layers (key, caller, request), or false when none has it.</summary>
    public bool TryGetConditionKey(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ConditionValue value) =>
        (KeyConditionKeys is { } key && key.TryGetValue(name, out value))
        || (CallerConditionKeys is { } caller && caller.TryGetValue(name, out value))
        || _keys.TryGetValue(name, out value);

    /// <summary>The time of the request: aws:CurrentTime and aws:EpochTime.</summary>
    public DateTimeOffset Now { get; init; }

    private static IReadOnlyDictionary<string, ConditionValue> IgnoringCase(IReadOnlyDictionary<string, ConditionValue>? keys) => keys switch
    {
        null => NoKeys,
        Dictionary<string, ConditionValue> d when d.Comparer == StringComparer.OrdinalIgnoreCase => d,
        FrozenDictionary<string, ConditionValue> f when f.Comparer == StringComparer.OrdinalIgnoreCase => f,
        _ => new Dictionary<string, ConditionValue>(keys, StringComparer.OrdinalIgnoreCase),
    };
}
