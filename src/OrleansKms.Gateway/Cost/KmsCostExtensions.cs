using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Logging;

namespace OrleansKms.Gateway.Cost;

/// <summary>Adds usage metering and the bill (<c>kms cost</c>) to a gateway.</summary>
public static class KmsCostExtensions
{
    /// <summary>Registers the usage meter (observer and hosted writer) over <paramref name="store"/> and the bill endpoint; idempotent.</summary>
    public static IServiceCollection AddKmsCost(this IServiceCollection services, Func<IServiceProvider, IUsageStore> store, Action<KmsCostOptions>? configure = null)
    {
        var builder = services.AddOptions<KmsCostOptions>();
        if (configure is not null) builder.Configure(configure);
        if (services.Any(d => d.ServiceType == typeof(UsageMeter))) return services;
        builder
            .Validate(o => o.FlushInterval > TimeSpan.Zero, $"{nameof(KmsCostOptions.FlushInterval)} must be positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.TableName), $"{nameof(KmsCostOptions.TableName)} must be set.")
            .ValidateOnStart();
        services.TryAddSingleton(store);
        services.AddSingleton(sp => new UsageMeter(sp.GetRequiredService<IUsageStore>(), sp.GetRequiredService<IOptions<KmsCostOptions>>(),
            sp.GetRequiredService<ILogger<UsageMeter>>(), sp.GetKeyedService<TimeProvider>(KmsTime.ServiceKey)));
        services.AddSingleton<IKmsRequestObserver>(sp => sp.GetRequiredService<UsageMeter>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<UsageMeter>());
        services.AddSingleton(sp => new CostEndpoint(sp.GetRequiredService<Auth.SigV4Verifier>(), sp.GetRequiredService<UsageMeter>(),
            sp.GetRequiredService<Regions.IKmsRegions>(), sp.GetRequiredService<IOptions<KmsGatewayOptions>>(), sp.GetRequiredService<IOptions<KmsCostOptions>>(),
            sp.GetService<Regions.IKmsRegionControl>(), sp.GetKeyedService<TimeProvider>(KmsTime.ServiceKey), sp.GetService<ILogger<CostEndpoint>>()));
        return services;
    }

    /// <summary>Maps <c>POST /_kms/cost</c> (<see cref="CostEndpoint"/>).</summary>
    public static IEndpointRouteBuilder MapKmsCost(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(CostEndpoint.Path, ctx => ctx.RequestServices.GetRequiredService<CostEndpoint>().HandleAsync(ctx));
        return endpoints;
    }
}
