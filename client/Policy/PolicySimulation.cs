using OrleansKms.Policy;
using RequestContext = OrleansKms.Policy.RequestContext;

namespace OrleansKms.Cli.Policy;

/// <summary>What a simulation decides on: the caller, the permission, the key (null for an action on no key) and the request.</summary>
internal sealed record SimulationInput(CallerPrincipal Principal, KmsPermission Permission, SimulatedKey? Key)
{
    public IReadOnlyList<PolicyDocument> IdentityPolicies { get; init; } = [];

    public bool GrantAllows { get; init; }

    public IReadOnlyDictionary<string, string> EncryptionContext { get; init; } = new Dictionary<string, string>();

    /// <summary>Condition keys given outright; they replace what the simulation would set.</summary>
    public IReadOnlyDictionary<string, List<string>> Conditions { get; init; } = new Dictionary<string, List<string>>();

    public bool SecureTransport { get; init; } = true;

    public DateTimeOffset Now { get; init; }
}

/// <summary>
/// The decision, the request it was made on, and the statements that made it: the decision's own, or for a key
/// policy that leaves the action to IAM (and no identity policy allows), the key policy statements that do so.
/// <see cref="Rule"/> names a KMS rule that denied before any policy was read; <see cref="Notes"/> say what was
/// not consulted.
/// </summary>
internal sealed record Simulation(RequestContext Request, KmsDecision Decision, IReadOnlyList<(string Source, StatementMatch Statement)> Statements)
{
    public string? Rule { get; init; }

    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Whether the key policy was evaluated (false for IAM-only permissions and actions on no key).</summary>
    public bool KeyPolicyConsulted { get; init; }
}

/// <summary>
/// Decides one request the way the service's KeyAccess does (src/OrleansKms.Grains/KeyAccess.cs): the same condition
/// keys, the same cross-account rules for each permission (KmsPermissions), then KmsAuthorizer. Pure: no I/O.
/// </summary>
internal static class PolicySimulation
{
    /// <summary>The permission AWS checks for <paramref name="action"/> ("kms:Decrypt", case-insensitive, "kms:" optional).</summary>
    public static KmsPermission? Permission(string action)
    {
        var name = action.StartsWith("kms:", StringComparison.OrdinalIgnoreCase) ? action[4..] : action;
        var all = KmsPermissions.ByOperation.Values.SelectMany(p => p)
            .Where(p => string.Equals(p.Action, "kms:" + name, StringComparison.OrdinalIgnoreCase)).ToList();

        // An action checked both on an alias (IAM) and on the key (key policy), as CreateAlias: the key's is the one simulated.
        return all.FirstOrDefault(p => p.Resource == PermissionResource.Key) ?? all.FirstOrDefault();
    }

    public static Simulation Run(SimulationInput input)
    {
        var (principal, permission, key) = (input.Principal, input.Permission, input.Key);
        var onKey = key is not null && permission.Resource != PermissionResource.None;
        var request = Request(input, onKey ? key : null);
        var rule = onKey ? permission.AcrossAccounts(principal.AccountId, key!.Arn.AccountId, input.IdentityPolicies.Count > 0) : CrossAccountRule.SameAccount;
        if (rule == CrossAccountRule.NeverAcrossAccounts)
            return Denied(request, KmsDecisionKind.NoResourcePolicyAllows, $"AWS KMS never allows {permission.Action} on a key of another account");
        if (rule == CrossAccountRule.NeedsIdentityPolicy)
            return Denied(request, KmsDecisionKind.NoIdentityPolicyAllows,
                $"only an identity policy of the caller's account can allow {permission.Action} on a key of another account, and the caller has none");

        var keyPolicy = onKey && permission.PolicyType == PermissionPolicyType.KeyPolicy ? key!.Policy : null;
        var grant = input.GrantAllows && keyPolicy is not null;
        var decision = KmsAuthorizer.Authorize(request, keyPolicy, onKey ? key!.Arn.AccountId : null, input.IdentityPolicies, grant);
        return new Simulation(request, decision, Explaining(decision, keyPolicy, request))
        {
            KeyPolicyConsulted = keyPolicy is not null,
            Notes = Notes(input, keyPolicy is not null, onKey),
        };
    }

    private static Simulation Denied(RequestContext request, KmsDecisionKind kind, string rule) =>
        new(request, new KmsDecision(kind, []), []) { Rule = rule, Notes = ["No policy was evaluated: the rule decides first."] };

    /// <summary>
    /// The decision's statements; for an implicit deny by IAM, the key policy statements that left it to IAM. When key
    /// policy statements naming the caller allowed on their own, those naming only its account did not decide.
    /// </summary>
    private static IReadOnlyList<(string, StatementMatch)> Explaining(KmsDecision decision, PolicyDocument? keyPolicy, RequestContext request)
    {
        var statements = decision.DecidingStatements;
        if (decision.Allowed && statements.All(s => s.Source == KmsDecision.KeyPolicySource) && statements.Any(s => s.Statement.Principal != PrincipalMatch.Account))
            return [.. statements.Where(s => s.Statement.Principal != PrincipalMatch.Account)];
        if (decision.Kind != KmsDecisionKind.NoIdentityPolicyAllows || keyPolicy is null) return statements;
        var evaluation = PolicyEvaluator.Evaluate(keyPolicy, request);
        return evaluation.Result == PolicyResult.Allow ? [.. evaluation.Statements.Select(s => (KmsDecision.KeyPolicySource, s))] : [];
    }

    private static List<string> Notes(SimulationInput input, bool keyPolicyConsulted, bool onKey)
    {
        var notes = new List<string>();
        var action = input.Permission.Action;
        if (!onKey && input.Key is not null && input.Permission.Resource == PermissionResource.None)
            notes.Add($"{action} is not an action on a key: only identity policies decide it (resource \"*\"); the key policy was not consulted.");
        else if (onKey && !keyPolicyConsulted)
            notes.Add($"Only identity policies can allow {action}: the key policy was not consulted.");
        if (input.GrantAllows && !keyPolicyConsulted) notes.Add($"--grant was ignored: a grant cannot give {action}.");
        return notes;
    }

    /// <summary>The request context, with the condition keys the service sets (the same <see cref="KmsConditionKeys"/> groups as KeyAccess).</summary>
    private static RequestContext Request(SimulationInput input, SimulatedKey? key)
    {
        var keys = new Dictionary<string, ConditionValue>(StringComparer.OrdinalIgnoreCase);
        KmsConditionKeys.AddCaller(keys, input.Principal.AccountId, input.SecureTransport, sourceIp: null);
        if (key is not null)
        {
            KmsConditionKeys.AddKey(keys, key.Arn.Region, key.KeySpec, key.KeyUsage, key.Origin, key.MultiRegion, key.Tags);
            KmsConditionKeys.AddRequestAlias(keys, key.RequestAlias);
        }

        KmsConditionKeys.AddEncryptionContext(keys, input.EncryptionContext);

        foreach (var (k, values) in input.Conditions) keys[k] = ConditionValue.Of(values);
        return new RequestContext
        {
            Principal = input.Principal,
            Action = input.Permission.Action,
            Resource = key?.Arn.Value ?? "*",
            ConditionKeys = keys,
            Now = input.Now,
        };
    }
}
