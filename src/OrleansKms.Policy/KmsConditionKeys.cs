namespace OrleansKms.Policy;

/// <summary>
/// The condition keys AWS KMS puts in a request context, written once for the service (KeyAccess) and for anything
/// that decides as the service does (<c>kms policy simulate</c>). Each method adds its group to
/// the dictionary it is given (an OrdinalIgnoreCase one).
/// </summary>
public static class KmsConditionKeys
{
    /// <summary>The caller's side: kms:CallerAccount, aws:SecureTransport, aws:SourceIp.</summary>
    public static void AddCaller(Dictionary<string, ConditionValue> keys, string callerAccount, bool secureTransport, string? sourceIp)
    {
        keys["kms:CallerAccount"] = ConditionValue.Of(callerAccount);
        keys["aws:SecureTransport"] = ConditionValue.Of(secureTransport);
        if (sourceIp is not null) keys["aws:SourceIp"] = ConditionValue.Of(sourceIp);
    }

    /// <summary>
    /// The key's side ("Conditions for KMS key operations"): aws:RequestedRegion, kms:KeySpec, kms:KeyUsage,
    /// kms:KeyOrigin, kms:MultiRegion, aws:ResourceTag/KEY for each of the key's tags, and kms:ResourceAliases (the
    /// names of the aliases that point to the key; absent when none does).
    /// </summary>
    public static void AddKey(Dictionary<string, ConditionValue> keys, string region, string keySpec, string keyUsage, string origin,
        bool multiRegion, IEnumerable<KeyValuePair<string, string>> tags, IReadOnlyList<string>? aliases = null)
    {
        if (aliases is { Count: > 0 }) keys["kms:ResourceAliases"] = ConditionValue.Of(aliases);
        keys["aws:RequestedRegion"] = ConditionValue.Of(region);
        keys["kms:KeySpec"] = ConditionValue.Of(keySpec);
        keys["kms:KeyUsage"] = ConditionValue.Of(keyUsage);
        keys["kms:KeyOrigin"] = ConditionValue.Of(origin);
        keys["kms:MultiRegion"] = ConditionValue.Of(multiRegion);
        foreach (var (k, v) in tags) keys["aws:ResourceTag/" + k] = ConditionValue.Of(v);
    }

    /// <summary>kms:EncryptionContext:KEY for each pair and kms:EncryptionContextKeys; nothing for an empty context.</summary>
    public static void AddEncryptionContext(Dictionary<string, ConditionValue> keys, IReadOnlyDictionary<string, string>? context)
    {
        if (context is null || context.Count == 0) return;
        foreach (var (k, v) in context) keys["kms:EncryptionContext:" + k] = ConditionValue.Of(v);
        keys["kms:EncryptionContextKeys"] = ConditionValue.Of(context.Keys);
    }

    /// <summary>kms:RequestAlias: the alias name a KeyId named the key by (an alias ARN read as its name), if it did.</summary>
    public static void AddRequestAlias(Dictionary<string, ConditionValue> keys, string? keyId)
    {
        if (keyId is null) return;
        if (keyId.StartsWith("alias/", StringComparison.Ordinal)) keys["kms:RequestAlias"] = ConditionValue.Of(keyId);
        else if (keyId.StartsWith("arn:", StringComparison.Ordinal) && keyId.IndexOf(":alias/", StringComparison.Ordinal) is var at and >= 0)
            keys["kms:RequestAlias"] = ConditionValue.Of(keyId[(at + 1)..]);
    }
}
