namespace OrleansKms.Cli.Xks;

/// <summary>
/// An XKS proxy API error: the spec's HTTP status and <c>errorName</c>, with an <c>errorMessage</c> (printable ASCII,
/// under 512 characters) that never carries key material or plaintext. Response body:
/// <c>{"errorName": "...", "errorMessage": "..."}</c>.
/// </summary>
internal sealed class XksException(int status, string errorName, string message) : Exception(message)
{
    public int Status { get; } = status;

    public string ErrorName { get; } = errorName;

    /// <summary>400: one or more input parameters is invalid.</summary>
    public static XksException Validation(string message) => new(400, "ValidationException", message);

    /// <summary>400: the ciphertext, IV, AAD, ciphertext metadata or tag is corrupted, missing or otherwise invalid.</summary>
    public static XksException InvalidCiphertext(string message) => new(400, "InvalidCiphertextException", message);

    /// <summary>400: the key does not support the requested operation.</summary>
    public static XksException InvalidKeyUsage(string message) => new(400, "InvalidKeyUsageException", message);

    /// <summary>401: the SigV4 signature is invalid.</summary>
    public static XksException AuthenticationFailed(string message) => new(401, "AuthenticationFailedException", message);

    /// <summary>404: no external key of that id.</summary>
    public static XksException KeyNotFound(string keyId) => new(404, "KeyNotFoundException", $"No external key '{keyId}' in the key store.");

    /// <summary>404: the URI path is not one of the API's.</summary>
    public static XksException InvalidUriPath(string path) => new(404, "InvalidUriPathException", $"'{Printable(path)}' is not an XKS proxy API path of this proxy.");

    /// <summary>501: not implemented, or a value beyond the size this proxy supports.</summary>
    public static XksException UnsupportedOperation(string message) => new(501, "UnsupportedOperationException", message);

    /// <summary>500: the key manager (the PKCS#11 token) failed.</summary>
    public static XksException Internal(string message) => new(500, "InternalException", message);

    /// <summary>The message as the spec allows it: printable ASCII, under 512 characters.</summary>
    public string ErrorMessage => Printable(Message);

    private static string Printable(string text)
    {
        var chars = text.Select(c => c is >= ' ' and <= '~' ? c : '?').Take(500).ToArray();
        return new string(chars);
    }
}
