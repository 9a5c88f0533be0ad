using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OrleansKms.Gateway.Usage;

public static class KeyLastUsageExtensions
{
    /// <summary>Records each key's last successful cryptographic operation for GetKeyLastUsage (<see cref="KeyLastUsageRecorder"/>). Idempotent.</summary>
    public static IServiceCollection AddKeyLastUsage(this IServiceCollection services)
    {
        if (services.Any(s => s.ServiceType == typeof(KeyLastUsageRecorder))) return services;
        services.AddSingleton<KeyLastUsageRecorder>();
        services.AddSingleton<IKmsRequestObserver>(sp => sp.GetRequiredService<KeyLastUsageRecorder>());
        services.AddSingleton<IHostedService>(sp => sp.GetRequiredService<KeyLastUsageRecorder>());
        return services;
    }
}
