using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OrleansKms.Gateway;

namespace OrleansKms.Hosting;

/// <summary>OpenTelemetry for the gateway and Orleans, exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.</summary>
public static class KmsTelemetry
{
    public static readonly string[] Sources = ["OrleansKms.Gateway", "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];
    public static readonly string[] Meters = ["OrleansKms.Gateway", "Microsoft.Orleans"];

    /// <summary>Adds tracing and metrics with the OTLP exporter if an endpoint is configured; nothing (and no cost) otherwise.</summary>
    public static IServiceCollection AddKmsTelemetry(this IServiceCollection services)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))) return services;
        services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource(Sources).AddAspNetCoreInstrumentation().AddOtlpExporter())
            .WithMetrics(m => m.AddMeter(Meters).AddAspNetCoreInstrumentation().AddOtlpExporter());
        return services;
    }
}
