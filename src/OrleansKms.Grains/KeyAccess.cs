using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansKms.Policy;
using RequestContext = OrleansKms.Policy.RequestContext;

namespace OrleansKms.Grains;

/// <summary>
/// What a request brings to its authorization beyond the caller and the key: the request's own condition keys
/// (kms:EncryptionContext:*, kms:EncryptionAlgorithm, kms:RequestAlias, kms:GrantOperations, aws:RequestTag/*, ...)
/// and, for a grant check, the encryption context the operation carries and the operations a new grant asks for.
/// </summary>
public sealed class AccessRequest
{
    public static readonly AccessRequest None = new();

    private static readonly ConditionValue SymmetricDefault = ConditionValue.Of(KmsValues.SymmetricDefault);

    /// <summary>The request's condition keys, named as AWS names them.</summary>
    public Dictionary<string, ConditionValue> Keys { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The operation's encryption context (for grant constraints), or null.</summary>
    public IReadOnlyDictionary<string, string>? EncryptionContext { get; private set; }

    /// <summary>For CreateGrant: the operations the new grant would give (a grant gives CreateGrant for no more than its own).</summary>
    public IReadOnlyList<string>? GrantOperations { get; private set; }

    /// <summary>Set by the KMS alias (or alias ARN) the caller named the key with: kms:RequestAlias.</summary>
    public AccessRequest Alias(string? keyId)
    {
        KmsConditionKeys.AddRequestAlias(Keys, keyId);
        return this;
    }

    /// <summary>kms:EncryptionContext:KEY for each pair, kms:EncryptionContextKeys, and the context for grant constraints.</summary>
    public AccessRequest Context(IReadOnlyDictionary<string, string>? context)
    {
        EncryptionContext = context;
        KmsConditionKeys.AddEncryptionContext(Keys, context);
        return this;
    }

    public AccessRequest With(string key, string? value)
    {
        // SYMMETRIC_DEFAULT is on nearly every symmetric request: one shared (immutable) value.
        if (value is not null) Keys[key] = ReferenceEquals(value, KmsValues.SymmetricDefault) ? SymmetricDefault : ConditionValue.Of(value);
        return this;
    }

    public AccessRequest With(string key, ConditionValue value)
    {
        Keys[key] = value;
        return this;
    }

    /// <summary>aws:RequestTag/KEY for each tag and aws:TagKeys.</summary>
    public AccessRequest RequestTags(IReadOnlyList<KeyTag>? tags)
    {
        if (tags is null || tags.Count == 0) return this;
        foreach (var t in tags) Keys["aws:RequestTag/" + t.TagKey] = ConditionValue.Of(t.TagValue);
        Keys["aws:TagKeys"] = ConditionValue.Of(tags.Select(t => t.TagKey));
        return this;
    }

    public AccessRequest ForGrant(IReadOnlyList<string> operations)
    {
        GrantOperations = operations;
        Keys["kms:GrantOperations"] = ConditionValue.Of(operations);
        return this;
    }
}

/// <summary>
/// AWS's authorization, in force wherever a key is reached: the crypto workers (with the silo's key snapshot, so the
/// hot path reads no storage and calls no grain), the key grains (management operations), the alias grains, and
/// <see cref="IKmsAuthorization"/> for operations on no key and for STS. Policies are compiled once per distinct
/// text (<see cref="PolicyCache"/>); grants come from the snapshot, or from a grant token the service MAC'd, which
/// makes a new grant usable before its snapshot has reached this silo. Each denial is logged with the statements
/// that decided it; the caller gets only AWS's message.
/// </summary>
public sealed class KeyAccess(
    IServiceSecrets secrets,
    [FromKeyedServices(KmsTime.ServiceKey)] TimeProvider time,
    ILogger<KeyAccess> logger,
    IOptions<KmsGrainOptions>? options = null) : IKmsAuthorization
{
    private readonly PolicyCache _policies = new(options?.Value.PolicyCacheCapacity ?? KmsGrainOptionsDefaults.PolicyCacheCapacity);

    // Per-object caches for the hot path: a snapshot's compiled key policy, an identity's compiled policies and its
    // principal, found by reference (the same snapshot and the same identity objects serve request after request).
    private readonly ConditionalWeakTable<KeySnapshot, PolicyDocument> _keyPolicies = new();
    private readonly ConditionalWeakTable<IReadOnlyList<string>, PolicyDocument[]> _identityPolicies = new();
    private readonly ConcurrentDictionary<string, (KmsCaller Source, CallerPrincipal Principal)> _principals = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<KeySnapshot, FrozenDictionary<string, ConditionValue>> _keyConditionKeys = new();
    private readonly ConcurrentDictionary<(string Account, bool SecureTransport, string? SourceIp, string? ViaService), FrozenDictionary<string, ConditionValue>> _callerConditionKeys = new();
    private readonly byte[] _grantTokenKey = secrets.KeyFor(GrantTokens.Purpose);

    /// <summary>AWS's message when Decrypt finds its key in the ciphertext and the caller may not use it.</summary>
    public const string DecryptDeniedMessage =
        "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.";

    /// <summary>
    /// Throws AccessDeniedException unless <paramref name="caller"/> may do <paramref name="permission"/> on
    /// <paramref name="key"/> with <paramref name="request"/>'s condition keys; InvalidGrantTokenException for a
    /// grant token this service did not issue. <paramref name="deniedMessage"/> replaces AWS's usual message where
    /// AWS words it differently (Decrypt of a ciphertext naming a key the caller cannot use).
    /// </summary>
    public void Authorize(KmsCaller caller, KmsPermission permission, KeySnapshot key, AccessRequest? request = null, string? deniedMessage = null)
    {
        EnsureSameAccountIfRequired(caller, permission, key.Arn);
        request ??= AccessRequest.None;
        var principal = Principal(caller);
        var context = Context(principal, caller, permission.Action, key.Arn.Value, request, key);
        var identities = IdentityPolicies(caller);
        if (permission.AcrossAccounts(caller.AccountId, key.Arn.AccountId, identities.Count > 0) == CrossAccountRule.NeedsIdentityPolicy)
            Deny(caller, context, KmsDecisionKind.NoIdentityPolicyAllows, "no identity policy for a key of another account", deniedMessage);

        PolicyDocument? keyPolicy = null;
        if (permission.PolicyType == PermissionPolicyType.KeyPolicy)
            keyPolicy = KeyPolicyOf(key);
        var grant = permission.PolicyType == PermissionPolicyType.KeyPolicy && GrantAllows(caller, permission.Action[4..], key, request, identities, context);
        var decision = KmsAuthorizer.Authorize(context, keyPolicy, key.Arn.AccountId, identities, grant);
        if (decision.Allowed) return;
        Deny(caller, context, decision, deniedMessage);
    }

    /// <summary>
    /// A permission AWS never gives across accounts (key management, aliases): AccessDeniedException for a key of
    /// another account, checked before the key is read, so the answer does not tell whether the key exists.
    /// </summary>
    public void EnsureSameAccountIfRequired(KmsCaller caller, KmsPermission permission, KeyArn key)
    {
        if (permission.AcrossAccounts(caller.AccountId, key.AccountId, callerHasIdentityPolicies: true) != CrossAccountRule.NeverAcrossAccounts) return;
        var context = Context(Principal(caller), caller, permission.Action, key.Value, AccessRequest.None);
        Deny(caller, context, KmsDecisionKind.NoResourcePolicyAllows, "not allowed across accounts", null);
    }

    /// <summary>Authorizes CreateKey: the caller's identity policies (and the key's future tags), with no key yet.</summary>
    public void AuthorizeCreate(KmsCaller caller, string resource, AccessRequest request, string action = "kms:CreateKey") =>
        AuthorizeOnNoKey(caller, action, resource, request);

    public void AuthorizeIdentity(KmsCaller caller, string action, string resource = "*") =>
        AuthorizeOnNoKey(caller, action, resource, AccessRequest.None);

    public bool AllowsAssumeRole(KmsCaller caller, string roleArn, string trustPolicy, out string denial)
    {
        var principal = Principal(caller);
        var context = Context(principal, caller, "sts:AssumeRole", roleArn, AccessRequest.None);
        var trust = _policies.Get(trustPolicy, PolicyKind.TrustPolicy);
        var roleAccount = roleArn.Split(':') is { Length: > 4 } parts ? parts[4] : "";
        var decision = KmsAuthorizer.Authorize(context, trust, roleAccount, IdentityPolicies(caller), grantAllows: false);
        denial = decision.Allowed ? "" : $"User: {caller.PrincipalArn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}";
        if (!decision.Allowed) Log(caller, context, decision.Kind.ToString(), decision.DecidingStatements);
        return decision.Allowed;
    }

    public string? CheckPolicy(string document, string kind)
    {
        try
        {
            _policies.Get(document, kind switch
            {
                "trust" => PolicyKind.TrustPolicy,
                "key" => PolicyKind.KeyPolicy,
                _ => PolicyKind.IdentityPolicy,
            });
            return null;
        }
        catch (PolicyFormatException e)
        {
            return e.Message;
        }
    }

    /// <summary>The compiled key policy, MalformedPolicyDocumentException with AWS's message if it is not one.</summary>
    public PolicyDocument CompileKeyPolicy(string text)
    {
        try
        {
            return _policies.Get(text, PolicyKind.KeyPolicy);
        }
        catch (PolicyFormatException e)
        {
            throw new KmsException(KmsErrorCode.MalformedPolicyDocumentException, e.Message);
        }
    }

    /// <summary>
    /// The lockout safety check, by evaluation: the principal making the request must be able to PutKeyPolicy under
    /// the new policy (AWS: "The new key policy will not allow you to update the key policy in the future.").
    /// </summary>
    public bool AllowsPolicyUpdate(KmsCaller caller, KeySnapshot keyUnderPolicy)
    {
        var principal = Principal(caller);
        var context = Context(principal, caller, "kms:PutKeyPolicy", keyUnderPolicy.Arn.Value, AccessRequest.None, keyUnderPolicy);
        var policy = CompileKeyPolicy(keyUnderPolicy.Policy ?? KeyPolicies.Default(keyUnderPolicy.Arn.AccountId, keyUnderPolicy.Arn.Region));
        return KmsAuthorizer.Authorize(context, policy, keyUnderPolicy.Arn.AccountId, IdentityPolicies(caller), grantAllows: false).Allowed;
    }

    private void AuthorizeOnNoKey(KmsCaller caller, string action, string resource, AccessRequest request)
    {
        var principal = Principal(caller);
        if (principal.Type == PrincipalTypes.Account && caller.IdentityPolicies.Count == 0) return;
        var context = Context(principal, caller, action, resource, request);
        var decision = KmsAuthorizer.Authorize(context, null, null, IdentityPolicies(caller), grantAllows: false);
        if (!decision.Allowed) Deny(caller, context, decision, null);
    }

    /// <summary>
    /// Whether a grant gives the caller this action on the key: one of the snapshot's grants, or one named by a grant
    /// token of the request that is newer than the snapshot (a token of a grant the snapshot has already seen gives
    /// nothing more: the grant may have been retired).
    /// </summary>
    private bool GrantAllows(KmsCaller caller, string action, KeySnapshot key, AccessRequest request,
        IReadOnlyList<PolicyDocument> identities, RequestContext context)
    {
        var byToken = false;
        foreach (var token in caller.GrantTokens)
        {
            // Every token is checked, used or not: a forged one is refused even where a grant already allows.
            if (!GrantTokens.TryVerify(_grantTokenKey, token, out var claims))
                throw new KmsException(KmsErrorCode.InvalidGrantTokenException, "Invalid grant token.");
            if (claims.KeyArn != key.Arn.Value || claims.Sequence < key.NextGrantSequence) continue;
            byToken |= Matches(caller, claims.GranteePrincipal, claims.Operations, claims.Constraints, action, request, identities, context);
        }

        if (byToken) return true;
        foreach (var g in key.Grants)
        {
            if (Matches(caller, g.GranteePrincipal, g.Operations, g.Constraints, action, request, identities, context)) return true;
        }

        return false;
    }

    private static bool Matches(KmsCaller caller, string? grantee, IReadOnlyList<string> operations, GrantConstraints? constraints,
        string action, AccessRequest request, IReadOnlyList<PolicyDocument> identities, RequestContext context)
    {
        if (grantee is null || !operations.Contains(action)) return false;
        if (!GranteeIs(caller, grantee, identities, context)) return false;
        if (action == "CreateGrant" && request.GrantOperations is { } asked && !asked.All(operations.Contains)) return false;
        if (constraints is null) return true;
        var ec = request.EncryptionContext;
        if (constraints.EncryptionContextEquals is { Count: > 0 } equals)
        {
            if (ec is null || ec.Count != equals.Count || !equals.All(p => ec.TryGetValue(p.Key, out var v) && v == p.Value)) return false;
        }

        if (constraints.EncryptionContextSubset is { Count: > 0 } subset)
        {
            if (ec is null || !subset.All(p => ec.TryGetValue(p.Key, out var v) && v == p.Value)) return false;
        }

        return true;
    }

    /// <summary>
    /// The grantee is the caller: its ARN, its role's ARN (for a session), or its account, in which case (as AWS) an
    /// identity policy of that account must also allow the caller the action, unless the caller is the account's root.
    /// </summary>
    private static bool GranteeIs(KmsCaller caller, string grantee, IReadOnlyList<PolicyDocument> identities, RequestContext context)
    {
        if (grantee == caller.PrincipalArn || grantee == caller.RoleArn) return true;
        if (!grantee.EndsWith(":root", StringComparison.Ordinal) || !grantee.Contains(":" + caller.AccountId + ":", StringComparison.Ordinal)) return false;
        if (caller.PrincipalType == PrincipalTypes.Account) return true;
        return identities.Any(p => PolicyEvaluator.Evaluate(p, context).Result == PolicyResult.Allow)
            && !identities.Any(p => PolicyEvaluator.Evaluate(p, context).Result == PolicyResult.ExplicitDeny);
    }

    private PolicyDocument KeyPolicyOf(KeySnapshot key) =>
        _keyPolicies.TryGetValue(key, out var compiled) ? compiled
            : _keyPolicies.GetValue(key, k => _policies.Get(k.Policy ?? KeyPolicies.Default(k.Arn.AccountId, k.Arn.Region), PolicyKind.KeyPolicy));

    private IReadOnlyList<PolicyDocument> IdentityPolicies(KmsCaller caller)
    {
        var texts = caller.IdentityPolicies;
        if (texts.Count == 0) return [];
        return _identityPolicies.TryGetValue(texts, out var compiled) ? compiled : _identityPolicies.GetValue(texts, Compile);
    }

    private PolicyDocument[] Compile(IReadOnlyList<string> texts)
    {
        var documents = new PolicyDocument[texts.Count];
        for (var i = 0; i < texts.Count; i++) documents[i] = _policies.Get(texts[i], PolicyKind.IdentityPolicy);
        return documents;
    }

    /// <summary>The caller as the evaluator sees it; reused while the caller's identity (its tags, id, role) is the same.</summary>
    private CallerPrincipal Principal(KmsCaller caller)
    {
        if (_principals.TryGetValue(caller.PrincipalArn, out var cached) && SameIdentity(cached.Source, caller)) return cached.Principal;
        var principal = NewPrincipal(caller);
        if (_principals.Count >= _policies.Capacity) _principals.Clear();
        _principals[caller.PrincipalArn] = (caller, principal);
        return principal;
    }

    private static bool SameIdentity(KmsCaller a, KmsCaller b) =>
        ReferenceEquals(a.Tags, b.Tags) && a.UserId == b.UserId && a.RoleArn == b.RoleArn && a.AccountId == b.AccountId;

    private static CallerPrincipal NewPrincipal(KmsCaller caller) =>
        new(caller.PrincipalArn, caller.AccountId, caller.PrincipalType)
        {
            UserId = caller.UserId ?? (caller.PrincipalType == PrincipalTypes.Account ? caller.AccountId : null),
            UserName = caller.UserName,
            RoleArn = caller.RoleArn,
            Tags = caller.Tags,
        };

    /// <summary>
    /// The request context: the request's own keys, and the caller's and (on a key) the key's (<see cref="KmsConditionKeys"/>)
    /// as shared layers built once per key snapshot and per caller's connection facts, not once per request.
    /// </summary>
    private RequestContext Context(CallerPrincipal principal, KmsCaller caller, string action, string resource, AccessRequest request, KeySnapshot? key = null)
    {
        Dictionary<string, ConditionValue>? own = ReferenceEquals(request, AccessRequest.None) ? null : request.Keys;
        if (key is null && resource.StartsWith("arn:", StringComparison.Ordinal) && resource.Split(':') is { Length: > 3 } parts && parts[3].Length > 0)
        {
            // An alias ARN (a role ARN has none). The shared None is never written to.
            own ??= new Dictionary<string, ConditionValue>(StringComparer.OrdinalIgnoreCase);
            own["aws:RequestedRegion"] = ConditionValue.Of(parts[3]);
        }

        return new RequestContext
        {
            Principal = principal, Action = action, Resource = resource, ConditionKeys = (IReadOnlyDictionary<string, ConditionValue>?)own ?? NoOwnKeys, Now = time.GetUtcNow(),
            KeyConditionKeys = key is null ? null : KeyKeys(key),
            CallerConditionKeys = CallerKeys(caller),
        };
    }

    private static readonly FrozenDictionary<string, ConditionValue> NoOwnKeys =
        FrozenDictionary.ToFrozenDictionary(Array.Empty<KeyValuePair<string, ConditionValue>>(), StringComparer.OrdinalIgnoreCase);

    private FrozenDictionary<string, ConditionValue> KeyKeys(KeySnapshot key) =>
        _keyConditionKeys.TryGetValue(key, out var keys) ? keys : _keyConditionKeys.GetValue(key, static key =>
        {
            var keys = new Dictionary<string, ConditionValue>(StringComparer.OrdinalIgnoreCase);
            KmsConditionKeys.AddKey(keys, key.Arn.Region, key.KeySpec, key.KeyUsage, key.Origin, multiRegion: key.MultiRegionKeyType is not null,
                key.Tags.Select(t => KeyValuePair.Create(t.TagKey, t.TagValue)), key.Aliases);
            if (key.MultiRegionKeyType is { } type) keys["kms:MultiRegionKeyType"] = ConditionValue.Of(type);
            return keys.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        });

    private FrozenDictionary<string, ConditionValue> CallerKeys(KmsCaller caller)
    {
        var facts = (caller.AccountId, caller.SecureTransport, caller.SourceIp, caller.ViaService);
        if (_callerConditionKeys.TryGetValue(facts, out var known)) return known;
        var keys = new Dictionary<string, ConditionValue>(StringComparer.OrdinalIgnoreCase);
        KmsConditionKeys.AddCaller(keys, caller.AccountId, caller.SecureTransport, caller.SourceIp);
        if (caller.ViaService is { } via) keys["kms:ViaService"] = ConditionValue.Of(via);
        var frozen = keys.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        if (_callerConditionKeys.Count >= _policies.Capacity) _callerConditionKeys.Clear();
        _callerConditionKeys[facts] = frozen;
        return frozen;
    }

    private void Deny(KmsCaller caller, RequestContext context, KmsDecision decision, string? deniedMessage)
    {
        Log(caller, context, decision.Kind.ToString(), decision.DecidingStatements);
        throw new KmsException(KmsErrorCode.AccessDeniedException, deniedMessage ?? decision.DenialMessage(context));
    }

    private void Deny(KmsCaller caller, RequestContext context, KmsDecisionKind kind, string why, string? deniedMessage)
    {
        Log(caller, context, why, []);
        throw new KmsException(KmsErrorCode.AccessDeniedException,
            deniedMessage ?? new KmsDecision(kind, []).DenialMessage(context));
    }

    private void Log(KmsCaller caller, RequestContext context, string why, IReadOnlyList<(string Source, StatementMatch Statement)> statements)
    {
        if (!logger.IsEnabled(LogLevel.Information)) return;
        var decided = statements.Count == 0 ? "no statement applies"
            : string.Join("; ", statements.Select(s => $"{s.Source} statement {s.Statement.Index}{(s.Statement.Sid is { } sid ? $" ({sid})" : "")} {s.Statement.Effect}"));
        logger.LogInformation("Denied {Action} on {Resource} to {Principal}: {Why}; {Statements}",
            context.Action, context.Resource, caller.PrincipalArn, why, decided);
    }
}
