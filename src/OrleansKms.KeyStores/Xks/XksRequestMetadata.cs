using System.Text.Json;

namespace OrleansKms.KeyStores.Xks;

/// <summary>
/// The <c>requestMetadata</c> object of every XKS proxy request (XKS Proxy API specification, each operation and
/// Appendix B): who called which KMS operation, for audit and the proxy's optional secondary authorization. The proxy
/// must treat every field as opaque. Which fields are required depends on the proxy operation:
/// <list type="bullet">
/// <item>GetHealthStatus: <see cref="KmsRequestId"/> and <see cref="KmsOperation"/> only (see <see cref="ForHealthCheck"/>);</item>
/// <item>GetKeyMetadata: also <see cref="AwsPrincipalArn"/>;</item>
/// <item>Encrypt and Decrypt: also <see cref="AwsPrincipalArn"/> and <see cref="KmsKeyArn"/>.</item>
/// </list>
/// <see cref="KmsOperation"/> also decides which AWS error a failure becomes (<see cref="XksErrors"/>).
/// </summary>
/// <param name="KmsOperation">The KMS operation that led to the call, e.g. <c>Encrypt</c>, <c>CreateKey</c>, <c>CreateCustomKeyStore</c>.</param>
/// <param name="KmsRequestId">The request id of that KMS call (the one CloudTrail shows).</param>
/// <param name="AwsPrincipalArn">The ARN of the calling principal (or a service principal such as <c>ec2.amazonaws.com</c>).</param>
/// <param name="KmsKeyArn">The ARN of the KMS key in use.</param>
/// <param name="AwsSourceVpc">The VPC of the request, present only when it came through a VPC endpoint.</param>
/// <param name="AwsSourceVpce">The VPC endpoint of the request, present only when it came through one.</param>
/// <param name="KmsViaService">The AWS service that called KMS on the caller's behalf, if any.</param>
public sealed record XksRequestMetadata(
    string KmsOperation,
    string KmsRequestId,
    string? AwsPrincipalArn = null,
    string? KmsKeyArn = null,
    string? AwsSourceVpc = null,
    string? AwsSourceVpce = null,
    string? KmsViaService = null)
{
    /// <summary>The <c>kmsOperation</c> of the periodic health check that runs outside any KMS API call.</summary>
    public const string PeriodicHealthCheck = "KmsHealthCheck";

    /// <summary>Metadata of a GetHealthStatus call made by <paramref name="kmsOperation"/> (Create/Update/ConnectCustomKeyStore or <see cref="PeriodicHealthCheck"/>).</summary>
    public static XksRequestMetadata ForHealthCheck(string kmsOperation, string kmsRequestId) => new(kmsOperation, kmsRequestId);

    /// <summary>Writes the <c>requestMetadata</c> member: the fields the operation takes, optional ones only when present.</summary>
    internal void WriteTo(Utf8JsonWriter json, XksOperation operation)
    {
        Require(KmsOperation, nameof(KmsOperation));
        Require(KmsRequestId, nameof(KmsRequestId));
        json.WriteStartObject("requestMetadata");
        if (operation == XksOperation.GetHealthStatus)
        {
            json.WriteString("kmsRequestId", KmsRequestId);
            json.WriteString("kmsOperation", KmsOperation);
            json.WriteEndObject();
            return;
        }

        Require(AwsPrincipalArn, nameof(AwsPrincipalArn));
        if (operation != XksOperation.GetKeyMetadata) Require(KmsKeyArn, nameof(KmsKeyArn));
        json.WriteString("awsPrincipalArn", AwsPrincipalArn);
        WriteOptional(json, "awsSourceVpc", AwsSourceVpc);
        WriteOptional(json, "awsSourceVpce", AwsSourceVpce);
        WriteOptional(json, "kmsKeyArn", KmsKeyArn);
        json.WriteString("kmsOperation", KmsOperation);
        json.WriteString("kmsRequestId", KmsRequestId);
        WriteOptional(json, "kmsViaService", KmsViaService);
        json.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null) json.WriteString(name, value);
    }

    private static void Require(string? value, string name)
    {
        if (string.IsNullOrEmpty(value))
            throw new ArgumentException($"The XKS proxy request needs {name} in its request metadata.", name);
    }
}

/// <summary>The four operations of the XKS Proxy API.</summary>
internal enum XksOperation
{
    GetHealthStatus,
    GetKeyMetadata,
    Encrypt,
    Decrypt,
}
