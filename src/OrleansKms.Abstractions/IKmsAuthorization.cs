namespace OrleansKms;

/// <summary>
/// AWS's authorization for the parts of the service that hold no key: operations on no key (ListKeys, ListAliases,
/// GenerateRandom, ListRetirableGrants; checked against the caller's identity policies alone, an account root
/// allowed), STS's AssumeRole (the role's trust policy and the caller's identity policies), and the check of a
/// policy document's grammar. Operations on a key are authorized where the key is (the crypto workers and the key
/// grains), with its policy and grants. Implemented in the grains' project; one per silo.
/// </summary>
public interface IKmsAuthorization
{
    /// <summary>
    /// Throws AccessDeniedException with AWS's message unless the caller's identity policies allow
    /// <paramref name="action"/> (e.g. "kms:ListKeys") on <paramref name="resource"/>; an account root is allowed.
    /// </summary>
    void AuthorizeIdentity(KmsCaller caller, string action, string resource = "*");

    /// <summary>
    /// Whether <paramref name="caller"/> may assume the role <paramref name="roleArn"/>: the role's trust policy must
    /// allow sts:AssumeRole to the caller (and, for a caller of another account or a user, the caller's identity
    /// policies must allow sts:AssumeRole on the role). <paramref name="denial"/> is AWS's AccessDenied message otherwise.
    /// </summary>
    bool AllowsAssumeRole(KmsCaller caller, string roleArn, string trustPolicy, out string denial);

    /// <summary>
    /// Null if <paramref name="document"/> is a valid policy of <paramref name="kind"/> ("identity", "trust" or "key"),
    /// else what is wrong with it.
    /// </summary>
    string? CheckPolicy(string document, string kind);
}
