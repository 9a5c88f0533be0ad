using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace OrleansKms.Gateway.Protocol;

/// <summary>One authenticated request on its way to a handler: who calls, the body, and the way into the cluster.</summary>
public sealed class KmsCall(KmsCaller caller, ReadOnlyMemory<byte> body, string region, IGrainFactory grains)
{
    public KmsCaller Caller { get; } = caller;

    public string Region { get; } = region;

    /// <summary>The caller with the request's grant tokens, which may give it a grant not yet in the key's snapshot.</summary>
    public KmsCaller CallerWith(List<string?>? grantTokens) =>
        grantTokens is { Count: > 0 } ? Caller with { GrantTokens = grantTokens.Where(t => t is not null).ToList()! } : Caller;

    /// <summary>Authorization of operations on no key (identity policies only); null where the host has none.</summary>
    public IKmsAuthorization? Authorization { get; init; }

    /// <summary>
    /// Authorizes an operation on no key (ListKeys, ListAliases, GenerateRandom, ...) by the caller's identity policies.
    /// A gateway hosted without the grains cannot evaluate policies: it fails closed, allowing only an account root
    /// that has no identity policies (which AWS would allow anyway).
    /// </summary>
    public void AuthorizeIdentity(string action, string resource = "*")
    {
        if (Authorization is not null)
        {
            Authorization.AuthorizeIdentity(Caller, action, resource);
            return;
        }

        if (Caller.PrincipalType == "Account" && Caller.IdentityPolicies.Count == 0) return;
        throw new KmsException(KmsErrorCode.AccessDeniedException,
            $"User: {Caller.PrincipalArn} is not authorized to perform: {action} on resource: {resource} because no identity-based policy allows the {action} action");
    }

    public IGrainFactory Grains { get; } = grains;

    /// <summary>The gateway's request gates (request quotas), asked again once a cryptographic request is read.</summary>
    internal IKmsRequestGate[] Gates { get; init; } = [];

    /// <summary>
    /// Admits a cryptographic request by the type of key it uses (<see cref="Quotas.KeyTypes"/>) or, for
    /// GenerateDataKeyPair, the KeyPairSpec: ThrottlingException over its quota. Call before running it.
    /// </summary>
    internal void AdmitKeyUse(string operation, string kind)
    {
        foreach (var gate in Gates) gate.AdmitKeyUse(Region, Caller.AccountId, operation, kind);
    }

    /// <summary>
    /// The crypto path: the silo's own crypto service, in-process, when the gateway runs in a silo; else the crypto
    /// worker grain (a stateless worker, activated on the calling silo).
    /// </summary>
    public ICryptoWorker Crypto => InProcessCrypto ?? Grains.GetGrain<ICryptoWorker>(0);

    /// <summary>The silo's crypto service, when this gateway runs in a silo.</summary>
    public ICryptoWorker? InProcessCrypto { get; init; }

    /// <summary>Reads the request body; a body that is not JSON of the operation's shape is a SerializationException.</summary>
    public T Read<T>(JsonTypeInfo<T> type) where T : new()
    {
        if (body.IsEmpty) return new T();
        try
        {
            return JsonSerializer.Deserialize(body.Span, type) ?? new T();
        }
        catch (JsonException e)
        {
            var where = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "" : $" at '{e.Path.TrimStart('$', '.')}'";
            throw new KmsException(KmsErrorCode.SerializationException, $"Could not read the request body{where}: it is not valid JSON of the expected shape.");
        }
    }

    /// <summary>
    /// The key a KeyId names where AWS accepts only a key id or key ARN (an alias there is "Invalid keyId").
    /// </summary>
    public KeyArn ResolveKey(string keyId) => KeyReference.ResolveKey(keyId, Caller.AccountId, Region);

    /// <summary>The key a KeyId names where AWS also accepts an alias name or alias ARN (resolved from the silo's alias cache).</summary>
    public ValueTask<KeyArn> ResolveKeyOrAliasAsync(string keyId) => Crypto.ResolveAsync(Caller, keyId, Region);

    /// <summary>Reads a request of a KeyId alone, validated as AWS does, and resolves it (a key id or key ARN, not an alias).</summary>
    internal KeyArn ReadKeyId()
    {
        var r = Read(KmsJsonContext.Default.KeyIdRequest);
        new RequestValidator().Required(r.KeyId, "KeyId").Length(r.KeyId, "KeyId", 1, 2048).ThrowIfInvalid();
        return ResolveKey(r.KeyId!);
    }

    public IKeyGrain Key(KeyArn arn) => Grains.GetGrain<IKeyGrain>(arn.Value);

    public static byte[] Write<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.SerializeToUtf8Bytes(value, type);

    /// <summary>Encryption context as the crypto layer takes it (values already checked non-null).</summary>
    public static IReadOnlyDictionary<string, string>? Context(Dictionary<string, string?>? context) =>
        context is null || context.Count == 0 ? null : context.ToDictionary(kv => kv.Key, kv => kv.Value!, StringComparer.Ordinal);
}
