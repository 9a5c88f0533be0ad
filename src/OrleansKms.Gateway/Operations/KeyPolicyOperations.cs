using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>
/// GetKeyPolicy, PutKeyPolicy and ListKeyPolicies. A key has one policy, named <c>default</c>. KeyId takes a key id
/// or key ARN of the caller's account (not an alias), as AWS's.
/// </summary>
internal static class KeyPolicyOperations
{
    public static async ValueTask<byte[]> Get(KmsCall call)
    {
        var r = call.Read(KmsLifecycleJsonContext.Default.KeyPolicyRequest);
        Validator(r).ThrowIfInvalid();
        var policy = await call.Key(call.ResolveKey(r.KeyId!)).GetPolicyAsync(call.Caller);
        EnsureDefaultName(r.PolicyName);
        return KmsCall.Write(new GetKeyPolicyResponse(policy, KeyPolicies.DefaultName), KmsLifecycleJsonContext.Default.GetKeyPolicyResponse);
    }

    public static async ValueTask<byte[]> Put(KmsCall call)
    {
        var r = call.Read(KmsLifecycleJsonContext.Default.KeyPolicyRequest);
        Validator(r).Required(r.Policy, "Policy").Length(r.Policy, "Policy", 1, 131072).PolicyText(r.Policy).ThrowIfInvalid();
        var key = call.Key(call.ResolveKey(r.KeyId!));
        await key.GetPolicyAsync(call.Caller); // NotFoundException for a missing key comes before the document's errors
        EnsureDefaultName(r.PolicyName);
        KeyPolicyDocument.Check(r.Policy!, call.Caller, call.Region, r.BypassPolicyLockoutSafetyCheck == true);
        await key.PutPolicyAsync(call.Caller, r.Policy!);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> List(KmsCall call)
    {
        var r = call.Read(KmsLifecycleJsonContext.Default.PagedKeyRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Range(r.Limit, "Limit", 1, 1000)
            .Length(r.Marker, "Marker", 1, 1024)
            .ThrowIfInvalid();
        await call.Key(call.ResolveKey(r.KeyId!)).GetPolicyAsync(call.Caller);
        return KmsCall.Write(new ListKeyPoliciesResponse([KeyPolicies.DefaultName], false), KmsLifecycleJsonContext.Default.ListKeyPoliciesResponse);
    }

    private static RequestValidator Validator(KeyPolicyRequest r) => new RequestValidator()
        .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
        .Length(r.PolicyName, "PolicyName", 1, 128)
        .Pattern(r.PolicyName, "PolicyName", c => char.IsAsciiLetterOrDigit(c) || c == '_', "[\\w]+");

    /// <summary>The only policy name is "default"; AWS answers another as a policy that does not exist.</summary>
    private static void EnsureDefaultName(string? policyName)
    {
        if (policyName is not null && policyName != KeyPolicies.DefaultName)
            throw new KmsException(KmsErrorCode.NotFoundException, $"No such policy exists: {policyName}. The only key policy name is default.");
    }
}
