namespace OrleansKms.Grains;

/// <summary>
/// Which key states allow which operations, and the exception AWS gives otherwise. The order of checks, as AWS
/// answers (docs/key-states.md, "Order of checks"): the request's syntax (the gateway's RequestValidator), the key's
/// existence, the caller's authorization, then the key's state (these methods), then whether the key's usage, spec
/// or origin suits the operation, then the operation's other parameters. So a disabled RSA key asked to rotate is
/// DisabledException, not UnsupportedOperationException.
/// </summary>
internal static class KeyStates
{
    /// <summary>For cryptographic operations: only Enabled keys may be used.</summary>
    public static void EnsureUsable(KeyStateKind state, KeyArn arn)
    {
        switch (state)
        {
            case KeyStateKind.Enabled:
                return;
            case KeyStateKind.Disabled:
                throw new KmsException(KmsErrorCode.DisabledException, $"{arn} is disabled.");
            case KeyStateKind.PendingDeletion or KeyStateKind.PendingReplicaDeletion:
                throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is pending deletion.");
            case KeyStateKind.PendingImport:
                throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is pending import.");
            case KeyStateKind.Unavailable:
                throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is unavailable.");
            default:
                throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is {state}.");
        }
    }

    /// <summary>
    /// For cryptographic operations: Enabled keys, and keys in the transient Updating state of UpdatePrimaryRegion,
    /// which AWS lets callers keep using.
    /// </summary>
    public static void EnsureUsableForCryptography(KeyStateKind state, KeyArn arn)
    {
        if (state != KeyStateKind.Updating) EnsureUsable(state, arn);
    }

    /// <summary>
    /// For changes AWS allows while a key waits for imported material (UpdateKeyDescription, TagResource,
    /// UntagResource, the import operations): not while pending deletion.
    /// </summary>
    public static void EnsureNotPendingDeletion(KeyStateKind state, KeyArn arn)
    {
        if (state is KeyStateKind.PendingDeletion or KeyStateKind.PendingReplicaDeletion)
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is pending deletion.");
    }

    /// <summary>For EnableKey and DisableKey: not while pending deletion or import.</summary>
    public static void EnsureManageable(KeyStateKind state, KeyArn arn)
    {
        if (state == KeyStateKind.Updating)
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is Updating: its primary Region is changing.");
        if (state is KeyStateKind.PendingDeletion or KeyStateKind.PendingReplicaDeletion)
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is pending deletion.");
        if (state == KeyStateKind.PendingImport)
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is pending import.");
    }
}
