namespace OrleansKms.KeyStores.Xks;

/// <summary>
/// What went wrong between the service and an external key store proxy: the failure scenarios of the XKS Proxy API
/// specification's "KMS Considerations" table for error codes. <see cref="XksErrors"/> turns one into the AWS error
/// the calling KMS operation reports.
/// </summary>
public enum XksFailure
{
    /// <summary>The proxy answered <c>ValidationException</c>.</summary>
    ProxyValidation,

    /// <summary>The proxy answered <c>InvalidStateException</c>: the external key or key store is disabled or blocked.</summary>
    InvalidState,

    /// <summary>The proxy answered <c>InvalidCiphertextException</c> to a decrypt.</summary>
    InvalidCiphertext,

    /// <summary>The proxy decrypted, but what it returned does not authenticate under the service's own key material.</summary>
    ProxyReturnedInvalidCiphertext,

    /// <summary>The proxy answered <c>InvalidKeyUsageException</c>.</summary>
    InvalidKeyUsage,

    /// <summary>The proxy answered <c>AuthenticationFailedException</c> (or HTTP 401): it rejected the SigV4 signature.</summary>
    AuthenticationFailed,

    /// <summary>The proxy answered <c>AccessDeniedException</c> (or HTTP 403): its own authorization refused the request.</summary>
    AccessDenied,

    /// <summary>The proxy answered <c>KeyNotFoundException</c>.</summary>
    KeyNotFound,

    /// <summary>The proxy answered <c>InvalidUriPathException</c>: the configured URI path is wrong.</summary>
    InvalidUriPath,

    /// <summary>The proxy answered <c>UnsupportedOperationException</c>.</summary>
    UnsupportedOperation,

    /// <summary>The proxy answered <c>DependencyTimeoutException</c>: its external key manager did not answer in time.</summary>
    DependencyTimeout,

    /// <summary>The proxy answered <c>ThrottlingException</c>.</summary>
    Throttling,

    /// <summary>The proxy answered <c>InternalException</c>.</summary>
    Internal,

    /// <summary>No TCP connection (refused, no route, name not resolved).</summary>
    Unreachable,

    /// <summary>A TCP connection but no TLS session (certificate, protocol or cipher suite).</summary>
    TlsFailure,

    /// <summary>No complete answer within the client's timeout.</summary>
    TimedOut,

    /// <summary>An answer that is not what the specification allows: not JSON, missing or ill-sized fields, an unknown error.</summary>
    MalformedResponse,

    /// <summary>A health answer saying every external key manager instance is <c>UNAVAILABLE</c>.</summary>
    AllKeyManagersUnavailable,

    /// <summary>The custom key store is not <c>CONNECTED</c> (for the caller to report; the client never raises it).</summary>
    KeyStoreNotConnected,
}
