using OrleansKms.Gateway.Auth;

namespace OrleansKms.Gateway;

/// <summary>Settings of the AWS KMS wire-protocol gateway.</summary>
public sealed class KmsGatewayOptions
{
    /// <summary>The region this gateway serves (SigV4 scope and key ARNs). Default <c>us-east-1</c>.</summary>
    public string Region { get; set; } = KmsGatewayOptionsDefaults.Region;

    /// <summary>Largest request body accepted; larger ones are refused with a 413. Default 1 MiB.</summary>
    public int MaxRequestBodyBytes { get; set; } = KmsGatewayOptionsDefaults.MaxRequestBodyBytes;

    /// <summary>How far X-Amz-Date may be from the server's clock. Default 15 minutes, as AWS.</summary>
    public TimeSpan AllowedClockSkew { get; set; } = KmsGatewayOptionsDefaults.AllowedClockSkew;

    /// <summary>
    /// Turns on the development admin surface, <c>POST /_kms/reset</c> and <c>POST /_kms/seed</c>
    /// (<see cref="Admin.DevAdminEndpoint"/>). Development only; default off, and then those paths are 404.
    /// </summary>
    public bool DevAdmin { get; set; }

    /// <summary>The callers accepted. Default: the development identity only (<see cref="KmsIdentity.Development"/>).</summary>
    public IList<KmsIdentity> Identities { get; } = [];

    /// <summary>The roles callers may assume with STS AssumeRole (each under its trust policy). Default none.</summary>
    public IList<KmsRole> Roles { get; } = [];

    /// <summary>
    /// The most SigV4 signing keys kept (one per access key, day, Region and service; session credentials are never
    /// kept); past it a request's key is derived for that request alone. Keys of past days are dropped and zeroed.
    /// Default 1,000.
    /// </summary>
    public int SigningKeyCacheCapacity { get; set; } = KmsGatewayOptionsDefaults.SigningKeyCacheCapacity;
}

internal static class KmsGatewayOptionsDefaults
{
    public const string Region = "us-east-1";
    public const int MaxRequestBodyBytes = 1024 * 1024;
    public static readonly TimeSpan AllowedClockSkew = TimeSpan.FromMinutes(15);
    public const int SigningKeyCacheCapacity = SigV4Verifier.DefaultSigningKeyCapacity;
}
