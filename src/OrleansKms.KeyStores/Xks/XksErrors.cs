using System.Collections.Frozen;

namespace OrleansKms.KeyStores.Xks;

/// <summary>
/// The one table from an external key store proxy failure to the AWS error a KMS operation reports, after the
/// XKS Proxy API specification ("Error codes", KMS Considerations). The message depends only on the failure; the
/// error code depends on the KMS operation that called the proxy (the <c>kmsOperation</c> of the request metadata):
/// <list type="bullet">
/// <item>CreateCustomKeyStore, UpdateCustomKeyStore, ConnectCustomKeyStore and the periodic KmsHealthCheck get the
/// <c>XksProxy*</c> exceptions those operations declare;</item>
/// <item>CreateKey gets <c>XksKey*</c> for the key's own problems and CustomKeyStoreInvalidStateException otherwise
/// (KMSInvalidStateException for an access denial, as the specification says);</item>
/// <item>every other operation (the cryptographic ones) gets KMSInvalidStateException, whose message tells the cause.</item>
/// </list>
/// A health check cannot meaningfully fail with a key or ciphertext error, so in the key-store operations those
/// count as a malformed response.
/// </summary>
public static class XksErrors
{
    private const string CannotInterpret =
        "AWS KMS cannot interpret the response from the external key store proxy. If you see this error repeatedly, report it to your external key store proxy administrator.";

    private const string KeyStoreInvalidState =
        "The external key store proxy rejected the request because the external key store is disabled, deactivated or blocked in the external key store proxy. Enable it in the external key store proxy and retry the request.";

    private static readonly FrozenDictionary<XksFailure, (string Message, string ConnectionErrorCode)> Table =
        new Dictionary<XksFailure, (string, string)>
        {
            [XksFailure.ProxyValidation] = (CannotInterpret, "XKS_PROXY_INVALID_RESPONSE"),
            [XksFailure.InvalidState] = ("The external key associated with this KMS key in an external key store is not enabled in the external key manager. Enable the external key in the external key manager and retry the request.", "XKS_PROXY_INVALID_CONFIGURATION"),
            [XksFailure.InvalidCiphertext] = ("The external key store proxy rejected the request because the specified ciphertext or encryption context is corrupted, missing, or otherwise invalid.", "XKS_PROXY_INVALID_RESPONSE"),
            [XksFailure.ProxyReturnedInvalidCiphertext] = ("The ciphertext that the external key store proxy submitted for decryption, or the encryption context, is corrupted, missing, or otherwise invalid.", "XKS_PROXY_INVALID_RESPONSE"),
            [XksFailure.InvalidKeyUsage] = ("The external key associated with this KMS key in an external key store does not support the requested operation. Enable the operation on the key in your external key manager, and try the request again.", "XKS_PROXY_INVALID_RESPONSE"),
            [XksFailure.AuthenticationFailed] = ("The external key store proxy rejected the request because it could not authenticate AWS KMS. Verify the XKS proxy authentication credentials for your external key store and update if necessary.", "INVALID_CREDENTIALS"),
            [XksFailure.AccessDenied] = ("The external key store proxy denied access to the operation. Verify that the user and the external key are both authorized for this operation, and try the request again.", "XKS_PROXY_ACCESS_DENIED"),
            [XksFailure.KeyNotFound] = ("The external key associated with this KMS key in an external key store was not found in its external key manager. If the external key ID associated with this KMS key is incorrect, create a new KMS key with the correct external key ID.", "XKS_PROXY_INVALID_RESPONSE"),
            [XksFailure.InvalidUriPath] = ("The external key store proxy rejected the request because of an invalid URI path. Verify the URI path for your external key store and update if necessary.", "XKS_PROXY_INVALID_CONFIGURATION"),
            [XksFailure.UnsupportedOperation] = ("The external key store proxy rejected the request because it does not support the requested operation. If you see this error repeatedly, report it to your external key store proxy administrator.", "XKS_PROXY_INVALID_RESPONSE"),
            [XksFailure.DependencyTimeout] = ("The external key store proxy did not respond to the request in the time allotted. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.", "XKS_PROXY_TIMED_OUT"),
            [XksFailure.Throttling] = ("The external key store proxy rejected the request due to a very high request rate. Reduce the frequency of your calls using KMS keys in this external key store.", "XKS_PROXY_NOT_REACHABLE"),
            [XksFailure.Internal] = ("The external key store proxy rejected the request because it cannot communicate with the external key manager. Verify that the external key store proxy configuration is correct and that the external key manager is available.", "XKS_PROXY_INVALID_RESPONSE"),
            [XksFailure.Unreachable] = ("AWS KMS cannot communicate with the external key store proxy. This might be a transient network issue. If you see this error repeatedly, verify that your external key store proxy is active and is connected to the network, and that its endpoint URI is correct in your external keystore.", "XKS_PROXY_NOT_REACHABLE"),
            [XksFailure.TlsFailure] = ("AWS KMS cannot establish a TLS connection to the external key store proxy. Verify the TLS configuration, including its certificate.", "XKS_PROXY_INVALID_TLS_CONFIGURATION"),
            [XksFailure.TimedOut] = ("AWS KMS rejected the request because the external key store proxy did not respond in time. Retry the request. If you see this error repeatedly, report it to your external key store proxy administrator.", "XKS_PROXY_TIMED_OUT"),
            [XksFailure.MalformedResponse] = (CannotInterpret, "XKS_PROXY_INVALID_RESPONSE"),
            [XksFailure.AllKeyManagersUnavailable] = ("The external key store proxy reports that all of its external key manager instances are unavailable. Verify that your external key manager instances are operating properly.", "XKS_PROXY_NOT_REACHABLE"),
            [XksFailure.KeyStoreNotConnected] = ("This KMS key is in a custom key store that is not connected to its external key store proxy. Connect the external key store and try the request again.", "INTERNAL_ERROR"),
        }.ToFrozenDictionary();

    /// <summary>Every message the table produces, back to its failure (the two that share a message share a connection error code).</summary>
    private static readonly FrozenDictionary<string, XksFailure> ByMessage = Table
        .Where(row => row.Key != XksFailure.ProxyValidation)
        .Select(row => KeyValuePair.Create(row.Value.Message, row.Key))
        .Append(KeyValuePair.Create(KeyStoreInvalidState, XksFailure.InvalidState))
        .ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>
    /// The AWS error <paramref name="kmsOperation"/> reports for <paramref name="failure"/>: the code by the table above,
    /// the message as AWS words it.
    /// </summary>
    public static KmsException ToKmsException(XksFailure failure, string kmsOperation)
    {
        var context = ContextOf(kmsOperation);
        if (context == Context.KeyStore && failure is XksFailure.InvalidCiphertext or XksFailure.ProxyReturnedInvalidCiphertext
                or XksFailure.InvalidKeyUsage or XksFailure.KeyNotFound)
            failure = XksFailure.MalformedResponse;
        var message = context == Context.KeyStore && failure == XksFailure.InvalidState ? KeyStoreInvalidState : Table[failure].Message;
        var code = context switch
        {
            Context.KeyStore => KeyStoreCode(failure),
            Context.CreateKey => CreateKeyCode(failure),
            _ => KmsErrorCode.KMSInvalidStateException,
        };
        return new KmsException(code, message);
    }

    /// <summary>
    /// The <c>ConnectionErrorCode</c> (ConnectionErrorCodeType of the API model) a failed ConnectCustomKeyStore records
    /// for <paramref name="failure"/>.
    /// </summary>
    public static string ConnectionErrorCode(XksFailure failure) => Table[failure].ConnectionErrorCode;

    /// <summary>
    /// The failure behind an exception <see cref="XksProxyClient"/> or <see cref="XksDoubleEncryption"/> threw (so that
    /// ConnectCustomKeyStore can record its <see cref="ConnectionErrorCode"/>); false for any other exception.
    /// </summary>
    public static bool TryGetFailure(KmsException exception, out XksFailure failure) =>
        ByMessage.TryGetValue(exception.KmsMessage, out failure);

    private enum Context { KeyStore, CreateKey, Cryptographic }

    private static Context ContextOf(string kmsOperation) => kmsOperation switch
    {
        "CreateCustomKeyStore" or "UpdateCustomKeyStore" or "ConnectCustomKeyStore" or XksRequestMetadata.PeriodicHealthCheck => Context.KeyStore,
        "CreateKey" => Context.CreateKey,
        _ => Context.Cryptographic,
    };

    private static KmsErrorCode KeyStoreCode(XksFailure failure) => failure switch
    {
        XksFailure.AuthenticationFailed or XksFailure.AccessDenied => KmsErrorCode.XksProxyIncorrectAuthenticationCredentialException,
        XksFailure.InvalidUriPath or XksFailure.InvalidState => KmsErrorCode.XksProxyInvalidConfigurationException,
        XksFailure.DependencyTimeout or XksFailure.Throttling or XksFailure.Unreachable or XksFailure.TlsFailure
            or XksFailure.TimedOut or XksFailure.AllKeyManagersUnavailable => KmsErrorCode.XksProxyUriUnreachableException,
        XksFailure.KeyStoreNotConnected => KmsErrorCode.CustomKeyStoreInvalidStateException,
        _ => KmsErrorCode.XksProxyInvalidResponseException,
    };

    private static KmsErrorCode CreateKeyCode(XksFailure failure) => failure switch
    {
        XksFailure.InvalidState or XksFailure.InvalidKeyUsage => KmsErrorCode.XksKeyInvalidConfigurationException,
        XksFailure.KeyNotFound => KmsErrorCode.XksKeyNotFoundException,
        XksFailure.AccessDenied => KmsErrorCode.KMSInvalidStateException,
        _ => KmsErrorCode.CustomKeyStoreInvalidStateException,
    };
}
