using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Auth;

namespace OrleansKms.Gateway;

/// <summary>Adds and maps the AWS KMS wire-protocol gateway.</summary>
public static class KmsGatewayExtensions
{
    /// <summary>Registers the gateway's services; idempotent.</summary>
    public static IServiceCollection AddKmsGateway(this IServiceCollection services, Action<KmsGatewayOptions>? configure = null)
    {
        var builder = services.AddOptions<KmsGatewayOptions>();
        if (configure is not null) builder.Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(KmsGatewayEndpoint))) return services;
        builder
            .Validate(o => !string.IsNullOrWhiteSpace(o.Region), $"{nameof(KmsGatewayOptions.Region)} must be set (for example us-east-1).")
            .Validate(o => o.MaxRequestBodyBytes >= 64 * 1024, $"{nameof(KmsGatewayOptions.MaxRequestBodyBytes)} must be at least 65536.")
            .Validate(o => o.AllowedClockSkew > TimeSpan.Zero, $"{nameof(KmsGatewayOptions.AllowedClockSkew)} must be positive.")
            .ValidateOnStart();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<KmsGatewayOptions>>().Value;
            return new IdentityStore(o.Identities.Count > 0 ? o.Identities : [KmsIdentity.Development]);
        });
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<KmsGatewayOptions>>().Value;
            return new SigV4Verifier(sp.GetRequiredService<IdentityStore>(), sp.GetService<TimeProvider>() ?? TimeProvider.System, o.Region, o.AllowedClockSkew);
        });
        services.AddSingleton<KmsGatewayEndpoint>();
        services.AddSingleton<Admin.DevAdminEndpoint>();
        return services;
    }

    /// <summary>
    /// Maps the gateway at <c>/</c>: every request, whatever its method or path, gets a KMS answer, except under
    /// <c>/_kms/</c>, the development admin surface (404 unless <see cref="KmsGatewayOptions.DevAdmin"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapKmsGateway(this IEndpointRouteBuilder endpoints)
    {
        RequestDelegate handler = ctx => ctx.RequestServices.GetRequiredService<KmsGatewayEndpoint>().HandleAsync(ctx);
        endpoints.Map(Admin.DevAdminEndpoint.PathPrefix + "{**operation}", ctx => ctx.RequestServices.GetRequiredService<Admin.DevAdminEndpoint>().HandleAsync(ctx));
        endpoints.Map("/", handler);
        endpoints.MapFallback(handler);
        return endpoints;
    }
}
