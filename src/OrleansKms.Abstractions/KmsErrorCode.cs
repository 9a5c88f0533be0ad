namespace OrleansKms;

/// <summary>
/// The AWS KMS error codes. Each member's name is the exact <c>__type</c> a real AWS client expects on the wire.
/// </summary>
public enum KmsErrorCode
{
    ValidationException,
    SerializationException,
    UnknownOperationException,
    UnsupportedOperationException,
    NotFoundException,
    AlreadyExistsException,
    DisabledException,
    KMSInvalidStateException,
    InvalidCiphertextException,
    IncorrectKeyException,
    InvalidKeyUsageException,
    InvalidMarkerException,
    InvalidGrantTokenException,
    InvalidArnException,
    InvalidAliasNameException,
    DryRunOperationException,
    LimitExceededException,
    TagException,
    ConflictException,
    MalformedPolicyDocumentException,
    DependencyTimeoutException,
    KMSInternalException,
    AccessDeniedException,
    MissingAuthenticationTokenException,
    IncompleteSignatureException,
    InvalidSignatureException,
    UnrecognizedClientException,
    RequestEntityTooLargeException,
    KMSInvalidSignatureException,
    KMSInvalidMacException,
    CustomKeyStoreNotFoundException,
}
