namespace OrleansKms.Gateway.Sts;

/// <summary>
/// An STS error as AWS answers it: HTTP status, error code, message, and fault type (<c>Sender</c> for the caller's
/// mistakes, <c>Receiver</c> for the service's). Only the STS endpoint throws and catches it.
/// </summary>
internal sealed class StsException(int status, string code, string message, string type = "Sender") : Exception(message)
{
    public int Status { get; } = status;

    public string Code { get; } = code;

    public string Type { get; } = type;

    public static StsException Validation(string message) => new(400, "ValidationError", message);

    /// <summary>AWS's one answer for a role the caller may not assume and for a role that does not exist.</summary>
    public static StsException AssumeRoleDenied(string principalArn, string roleArn) =>
        new(403, "AccessDenied", $"User: {principalArn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");

    /// <summary>STS's code and status for an authentication failure the SigV4 verifier reported in KMS's terms.</summary>
    public static StsException From(KmsException e) => e.Code switch
    {
        KmsErrorCode.InvalidSignatureException => new(403, "SignatureDoesNotMatch", e.Message),
        KmsErrorCode.UnrecognizedClientException => new(403, "InvalidClientTokenId", e.Message),
        KmsErrorCode.ExpiredTokenException => new(400, "ExpiredToken", e.Message),
        KmsErrorCode.MissingAuthenticationTokenException => new(403, "MissingAuthenticationToken", "Request is missing Authentication Token"),
        KmsErrorCode.IncompleteSignatureException => new(400, "IncompleteSignature", e.Message),
        KmsErrorCode.RequestEntityTooLargeException => new(413, "RequestEntityTooLarge", e.Message),
        KmsErrorCode.AccessDeniedException => new(403, "AccessDenied", e.Message),
        _ => new(400, e.Code.ToString(), e.Message),
    };
}
