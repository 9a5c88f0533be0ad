namespace OrleansKms.Encryption;

/// <summary>
/// A message could not be encrypted or decrypted: it is not a message of this format, it was changed or cut short, no
/// wrapping key could decrypt its data key, or its encryption context is not the one required. The message says which.
/// KMS errors are not wrapped: an <see cref="Amazon.KeyManagementService.AmazonKeyManagementServiceException"/> from a
/// wrapping key that should have worked reaches the caller as it is, as the inner exception when other keys were tried.
/// </summary>
public class EnvelopeException : Exception
{
    public EnvelopeException(string message) : base(message)
    {
    }

    public EnvelopeException(string message, Exception? inner) : base(message, inner)
    {
    }
}

/// <summary>The message failed a check of its integrity: a changed byte, a missing part, or a failed signature.</summary>
public sealed class MessageTamperedException(string message) : EnvelopeException(message);

/// <summary>The message ends before its final frame (or its signature) has been read.</summary>
public sealed class MessageTruncatedException(string message) : EnvelopeException(message);

/// <summary>None of the wrapping keys available could decrypt one of the message's encrypted data keys.</summary>
public sealed class NoDecryptableDataKeyException(string message, Exception? inner) : EnvelopeException(message, inner);
