using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansKms.Gateway.Auth;
using OrleansKms.Gateway.Sts;

namespace OrleansKms.Gateway;

/// <summary>Adds and maps the AWS KMS wire-protocol gateway (and STS's GetCallerIdentity and AssumeRole beside it).</summary>
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
            return new IdentityStore(o.Identities.Count > 0 ? o.Identities : [KmsIdentity.Development], o.Roles);
        });
        services.AddSingleton(CreateSessionTokens);
        services.TryAddSingleton<Regions.IKmsRegions>(sp => new Regions.LocalRegion(sp.GetRequiredService<IOptions<KmsGatewayOptions>>().Value.Region, sp));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<KmsGatewayOptions>>().Value;
            return new SigV4Verifier(sp.GetRequiredService<IdentityStore>(), sp.GetService<TimeProvider>() ?? TimeProvider.System,
                sp.GetRequiredService<Regions.IKmsRegions>(), o.AllowedClockSkew, sp.GetRequiredService<SessionTokens>(), o.SigningKeyCacheCapacity);
        });
        services.AddSingleton<KmsGatewayEndpoint>();
        services.AddSingleton<StsEndpoint>();
        services.AddSingleton<Admin.DevAdminEndpoint>();
        return services;
    }

    /// <summary>
    /// STS session tokens, sealed under a key every gateway of the region derives from the root key (so a session
    /// outlives a restart and works on any gateway), and expiring on the KMS clock. A gateway hosted without the
    /// grains has no root key: its sessions are sealed under a key of this process only.
    /// </summary>
    private static SessionTokens CreateSessionTokens(IServiceProvider sp) => new(
        sp.GetService<IServiceSecrets>()?.KeyFor(SessionTokens.Purpose) ?? RandomNumberGenerator.GetBytes(32),
        sp.GetKeyedService<TimeProvider>(KmsTime.ServiceKey) ?? sp.GetService<TimeProvider>() ?? TimeProvider.System);

    /// <summary>
    /// Maps the gateway at <c>/</c>: every request, whatever its method or path, gets a KMS answer, except STS
    /// requests (<see cref="StsEndpoint.Handles"/>: a form-encoded POST without X-Amz-Target) and under
    /// <c>/_kms/</c>, the development admin surface (404 unless <see cref="KmsGatewayOptions.DevAdmin"/>).
    /// </summary>
    public static IEndpointRouteBuilder MapKmsGateway(this IEndpointRouteBuilder endpoints)
    {
        RequestDelegate handler = ctx => StsEndpoint.Handles(ctx.Request)
            ? ctx.RequestServices.GetRequiredService<StsEndpoint>().HandleAsync(ctx)
            : ctx.RequestServices.GetRequiredService<KmsGatewayEndpoint>().HandleAsync(ctx);
        endpoints.Map(Admin.DevAdminEndpoint.PathPrefix + "{**operation}", ctx => ctx.RequestServices.GetRequiredService<Admin.DevAdminEndpoint>().HandleAsync(ctx));
        endpoints.Map("/", handler);
        endpoints.MapFallback(handler);
        return endpoints;
    }
}
