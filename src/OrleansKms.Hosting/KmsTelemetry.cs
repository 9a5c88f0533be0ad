using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using OrleansKms.Gateway;

namespace OrleansKms.Hosting;

/// <summary>
/// OpenTelemetry for the gateway and Orleans: traces, metrics and logs (the audit trail's records among them, category
/// <c>OrleansKms.Audit</c>), exported over OTLP when an endpoint is configured (<c>--otlp-endpoint</c> or
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>).
/// </summary>
public static class KmsTelemetry
{
    public static readonly string[] Sources = ["OrleansKms.Gateway", "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application"];
    public static readonly string[] Meters = ["OrleansKms.Gateway", "OrleansKms.Storage", "Microsoft.Orleans"];

    /// <summary>
    /// Adds tracing, metrics and logging with the OTLP exporter if <paramref name="endpoint"/> is set; nothing (and no
    /// cost) otherwise. <paramref name="protocol"/> is <c>grpc</c> (default) or <c>http/protobuf</c>; with http/protobuf
    /// each signal goes to its own path under the endpoint (<c>/v1/traces</c>, <c>/v1/metrics</c>, <c>/v1/logs</c>), as
    /// the OTLP specification's environment variable does.
    /// </summary>
    public static IServiceCollection AddKmsTelemetry(this IServiceCollection services, Uri? endpoint, string? protocol = null)
    {
        if (endpoint is null) return services;
        var http = (protocol ?? Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_PROTOCOL")) == "http/protobuf";
        void Exporter(OtlpExporterOptions o, string signal)
        {
            o.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            o.Endpoint = http ? new Uri(endpoint, endpoint.AbsolutePath.TrimEnd('/') + "/v1/" + signal) : endpoint;
        }

        services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource(Sources).AddAspNetCoreInstrumentation().AddOtlpExporter(o => Exporter(o, "traces")))
            .WithMetrics(m => m.AddMeter(Meters).AddAspNetCoreInstrumentation().AddOtlpExporter(o => Exporter(o, "metrics")))
            .WithLogging(l => l.AddOtlpExporter(o => Exporter(o, "logs")));
        return services;
    }
}
