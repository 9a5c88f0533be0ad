using Amazon.KeyManagementService;
using Amazon.Runtime;

namespace OrleansKms.Hosting.Embedded;

/// <summary>
/// Settings of the in-process AWS SDK client that <see cref="KmsClientExtensions.AddKmsClient"/> registers: as whom it
/// calls, and for which Region.
/// </summary>
public sealed class KmsClientOptions
{
    /// <summary>
    /// The credentials the client signs with: an access key of the gateway's identities
    /// (<see cref="Gateway.KmsGatewayOptions.Identities"/>), or STS session credentials. Default: the development
    /// identity (access key <c>test</c>, secret <c>test</c>, the root of account 000000000000).
    /// </summary>
    public AWSCredentials Credentials { get; set; } = new BasicAWSCredentials(KmsClientOptionsDefaults.AccessKeyId, KmsClientOptionsDefaults.SecretAccessKey);

    /// <summary>
    /// The Region the client signs for. Default null: the Region of the in-process gateway
    /// (<see cref="Gateway.KmsGatewayOptions.Region"/>, which <c>AddKmsClient</c> sets from <see cref="KmsOptions.Region"/>).
    /// </summary>
    public string? Region { get; set; }

    /// <summary>
    /// A last word on the SDK client's configuration (retries, timeouts, logging). Default none. The HTTP client
    /// factory and the endpoint are the in-process ones whatever this does.
    /// </summary>
    public Action<AmazonKeyManagementServiceConfig>? ConfigureClient { get; set; }
}

internal static class KmsClientOptionsDefaults
{
    public const string AccessKeyId = "test";
    public const string SecretAccessKey = "test";
}
