using System.Text;
using OrleansKms.Gateway.Protocol;

namespace OrleansKms.UnitTests.Gateway;

/// <summary>AWS's JSON error body: where AWS's error has no text, it sends no <c>message</c> member at all.</summary>
public sealed class ErrorResponseTests
{
    private static string Body(string type, string? message) =>
        Encoding.UTF8.GetString(KmsCall.Write(ErrorResponse.Of(type, message), KmsJsonContext.Default.ErrorResponse));

    [Fact]
    public void An_error_without_a_message_has_no_message_member()
    {
        Assert.Equal("{\"__type\":\"KMSInvalidSignatureException\"}", Body("KMSInvalidSignatureException", ""));
        Assert.Equal("{\"__type\":\"InvalidCiphertextException\"}", Body("InvalidCiphertextException", KmsException.InvalidCiphertext().Message));
        Assert.Equal("{\"__type\":\"UnsupportedOperationException\"}",
            Body("UnsupportedOperationException", KmsException.WithoutMessage(KmsErrorCode.UnsupportedOperationException).Message));
    }

    [Fact]
    public void An_error_with_a_message_has_both_members()
    {
        Assert.Equal("{\"__type\":\"DisabledException\",\"message\":\"arn is disabled.\"}", Body("DisabledException", "arn is disabled."));
    }
}
