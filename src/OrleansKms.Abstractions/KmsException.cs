namespace OrleansKms;

/// <summary>
/// The one exception type of OrleansKms: it carries the AWS error code and AWS's message, crosses grain calls
/// intact, and is mapped to <c>{"__type": code, "message": message}</c> in exactly one place, the gateway (an empty
/// message is AWS's "no message": the member is left out).
/// </summary>
[GenerateSerializer]
public sealed class KmsException : Exception
{
    public KmsException(KmsErrorCode code, string message)
        : base(message)
    {
        Code = code;
        KmsMessage = message;
    }

    /// <summary>The AWS error code (the wire <c>__type</c>).</summary>
    [Id(0)]
    public KmsErrorCode Code { get; init; }

    /// <summary>The AWS-worded message, kept in its own field so it survives serialization across silos.</summary>
    [Id(1)]
    public string KmsMessage { get; init; }

    public override string Message => KmsMessage;

    public static KmsException Validation(string message) => new(KmsErrorCode.ValidationException, message);

    public static KmsException KeyNotFound(string keyArn) => new(KmsErrorCode.NotFoundException, $"Key '{keyArn}' does not exist");

    /// <summary>
    /// An error AWS sends with no message at all (the gateway then writes no <c>message</c> member): a failed Verify or
    /// VerifyMac, a ciphertext that does not decrypt, a rotation asked of a key that cannot rotate, a peer public key
    /// DeriveSharedSecret cannot use.
    /// </summary>
    public static KmsException WithoutMessage(KmsErrorCode code) => new(code, "");

    public static KmsException InvalidCiphertext() => WithoutMessage(KmsErrorCode.InvalidCiphertextException);

    public static KmsException DryRun() =>
        new(KmsErrorCode.DryRunOperationException, "The request would have succeeded, but the DryRun option is set.");
}
