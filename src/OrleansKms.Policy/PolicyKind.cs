namespace OrleansKms.Policy;

/// <summary>What a policy document is attached to; it decides which elements a statement must and must not have.</summary>
public enum PolicyKind
{
    /// <summary>A KMS key policy (a resource-based policy): every statement names a Principal or NotPrincipal.</summary>
    KeyPolicy,

    /// <summary>An IAM identity policy of a user or role: no Principal, and every statement names its resources.</summary>
    IdentityPolicy,

    /// <summary>An IAM role trust policy: every statement names a Principal and none names a resource.</summary>
    TrustPolicy,
}

/// <summary>
/// A policy document AWS would refuse. The message follows AWS's wording (IAM's MalformedPolicyDocument messages;
/// for key policies KMS's, e.g. "Policy contains a statement with one or more invalid principals."), so a service
/// can answer MalformedPolicyDocumentException with it unchanged.
/// </summary>
public sealed class PolicyFormatException : Exception
{
    /// <summary>Creates the exception with AWS's message for the problem.</summary>
    public PolicyFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with AWS's message and the parser's own failure.</summary>
    public PolicyFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
