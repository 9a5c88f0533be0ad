using Amazon.KeyManagementService;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway;

namespace OrleansKms.Hosting.Embedded;

/// <summary>The AWS SDK's KMS client for code running in an Orleans application that called <c>AddKms()</c>.</summary>
public static class KmsClientExtensions
{
    /// <summary>
    /// Registers <see cref="IAmazonKeyManagementService"/> (the AWS SDK's own interface) answered in-process by this
    /// silo's KMS, and <see cref="KmsInProcessClients"/> for clients of other identities. Calls go through the gateway's
    /// pipeline exactly as HTTP requests do (SigV4, validation, key policies, IAM, grants, audit, error mapping) but
    /// without a socket. Registers the gateway's services (<c>AddKmsGateway</c>, for the Region of
    /// <see cref="KmsOptions.Region"/> unless configured otherwise) without mapping any HTTP endpoint. Idempotent:
    /// a second call changes the options only.
    /// </summary>
    public static IServiceCollection AddKmsClient(this IServiceCollection services, Action<KmsClientOptions>? configure = null)
    {
        var builder = services.AddOptions<KmsClientOptions>();
        if (configure is not null) builder.Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(KmsInProcessClients))) return services;
        builder.Validate(o => o.Credentials is not null, $"{nameof(KmsClientOptions.Credentials)} must be set (an access key of the gateway's identities).")
            .Validate(o => o.Region is null || AwsRegions.IsKnown(o.Region), $"{nameof(KmsClientOptions.Region)} must be an AWS Region (for example us-east-1).")
            .ValidateOnStart();

        if (!services.Any(d => d.ServiceType == typeof(KmsGatewayEndpoint)))
        {
            services.AddKmsGateway();
            // The gateway serves the silo's Region; a later AddKmsGateway(g => g.Region = ...) still has the last word.
            services.AddOptions<KmsGatewayOptions>().Configure<IServiceProvider>((g, sp) =>
            {
                if (sp.GetService<IOptions<KmsOptions>>() is { } kms) g.Region = kms.Value.Region;
            });
        }

        services.AddSingleton<KmsInProcessClients>();
        services.AddSingleton<IAmazonKeyManagementService>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<KmsClientOptions>>().Value;
            return sp.GetRequiredService<KmsInProcessClients>().Create(o.Credentials, o.Region, o.ConfigureClient);
        });
        return services;
    }
}
