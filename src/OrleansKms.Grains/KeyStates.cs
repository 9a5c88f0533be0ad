namespace OrleansKms.Grains;

/// <summary>Which key states allow which operations, and the exception AWS gives otherwise.</summary>
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
            case KeyStateKind.PendingDeletion:
                throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is pending deletion.");
            case KeyStateKind.PendingImport:
                throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is pending import.");
            default:
                throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is {state}.");
        }
    }

    /// <summary>For EnableKey, DisableKey and other management changes: not while pending deletion or import.</summary>
    public static void EnsureManageable(KeyStateKind state, KeyArn arn)
    {
        if (state == KeyStateKind.PendingDeletion)
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is pending deletion.");
        if (state == KeyStateKind.PendingImport)
            throw new KmsException(KmsErrorCode.KMSInvalidStateException, $"{arn} is pending import.");
    }
}
