using System.Text.Json.Serialization;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.Gateway.Operations;

/// <summary>
/// GetKeyPolicy, PutKeyPolicy and ListKeyPolicies. A key has one policy, named <c>default</c>. KeyId takes a key id
/// or key ARN of the caller's account (not an alias), as AWS's.
/// </summary>
internal static class KeyPolicyOperations
{
    internal static readonly (string Name, OperationTable.Handler Handler)[] Operations =
    [
        ("GetKeyPolicy", GetKeyPolicy),
        ("PutKeyPolicy", PutKeyPolicy),
        ("ListKeyPolicies", ListKeyPolicies),
    ];

    public static async ValueTask<byte[]> GetKeyPolicy(KmsCall call)
    {
        var r = call.Read(KmsKeyPolicyJsonContext.Default.KeyPolicyRequest);
        Validator(r).ThrowIfInvalid();
        var policy = await call.Key(call.ResolveKey(r.KeyId!)).GetPolicyAsync(call.Caller);
        EnsureDefaultName(r.PolicyName);
        return KmsCall.Write(new GetKeyPolicyResponse(policy, KeyPolicies.DefaultName), KmsKeyPolicyJsonContext.Default.GetKeyPolicyResponse);
    }

    public static async ValueTask<byte[]> PutKeyPolicy(KmsCall call)
    {
        var r = call.Read(KmsKeyPolicyJsonContext.Default.KeyPolicyRequest);
        Validator(r).Required(r.Policy, "Policy").Length(r.Policy, "Policy", 1, 131072).PolicyText(r.Policy).ThrowIfInvalid();
        var key = call.Key(call.ResolveKey(r.KeyId!));
        EnsureDefaultName(r.PolicyName);
        await key.PutPolicyAsync(call.Caller, r.Policy!, r.BypassPolicyLockoutSafetyCheck == true);
        return Empty.Body;
    }

    public static async ValueTask<byte[]> ListKeyPolicies(KmsCall call)
    {
        var r = call.Read(KmsJsonContext.Default.PagedKeyRequest);
        new RequestValidator()
            .Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048)
            .Range(r.Limit, "Limit", 1, 1000)
            .Length(r.Marker, "Marker", 1, 1024)
            .ThrowIfInvalid();
        await call.Key(call.ResolveKey(r.KeyId!)).GetPolicyAsync(call.Caller);
        return KmsCall.Write(new ListKeyPoliciesResponse([KeyPolicies.DefaultName], false), KmsKeyPolicyJsonContext.Default.ListKeyPoliciesResponse);
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

// Wire shapes of the key-policy operations (PagedKeyRequest is shared: Protocol/WireModel.cs).

public sealed class KeyPolicyRequest
{
    public string? KeyId { get; init; }
    public string? PolicyName { get; init; }
    public string? Policy { get; init; }
    public bool? BypassPolicyLockoutSafetyCheck { get; init; }
}

public sealed record GetKeyPolicyResponse(string Policy, string PolicyName);

public sealed record ListKeyPoliciesResponse(IReadOnlyList<string> PolicyNames, bool Truncated);

[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.Unspecified,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(KeyPolicyRequest))]
[JsonSerializable(typeof(GetKeyPolicyResponse))]
[JsonSerializable(typeof(ListKeyPoliciesResponse))]
public sealed partial class KmsKeyPolicyJsonContext : JsonSerializerContext;
