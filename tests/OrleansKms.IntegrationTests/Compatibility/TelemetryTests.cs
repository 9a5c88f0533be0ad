using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.BadInput;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Compatibility;

/// <summary>
/// What an operator sees through OpenTelemetry: the gateway's <c>kms.requests</c> counter and <c>kms.request.duration</c>
/// histogram tagged by operation and outcome, and one <c>kms.OPERATION</c> activity per call, in the caller's trace.
/// The listeners hear every gateway of this test process, and other test classes run alongside: spans are picked
/// by the test's own trace id (propagated by the SDK's HTTP client), measurements are counted at least.
/// </summary>
[Collection(KmsServerCollection.Name)]
public sealed class TelemetryTests : IDisposable
{
    private readonly ConcurrentBag<(string Instrument, string? Operation, string? Outcome)> _measurements = [];
    private readonly ConcurrentBag<Activity> _activities = [];
    private readonly MeterListener _meters = new();
    private readonly ActivityListener _traces;
    private const string TestSource = "OrleansKms.IntegrationTests.Telemetry";
    private static readonly ActivitySource Source = new(TestSource);
    private readonly KmsServerFixture _fixture;
    private readonly AmazonKeyManagementServiceClient _kms;

    public TelemetryTests(KmsServerFixture fixture)
    {
        _fixture = fixture;
        _kms = fixture.Client();
        _meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "OrleansKms.Gateway") listener.EnableMeasurementEvents(instrument);
        };
        _meters.SetMeasurementEventCallback<long>((i, _, tags, _) => Record(i, tags));
        _meters.SetMeasurementEventCallback<double>((i, _, tags, _) => Record(i, tags));
        _meters.Start();
        _traces = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "OrleansKms.Gateway" or "Microsoft.AspNetCore" or TestSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _activities.Add,
        };
        ActivitySource.AddActivityListener(_traces);
    }

    private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? operation = null, outcome = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "operation") operation = tag.Value as string;
            if (tag.Key == "outcome") outcome = tag.Value as string;
        }

        _measurements.Add((instrument.Name, operation, outcome));
    }

    [Fact]
    public async Task Each_call_is_counted_timed_and_traced_with_its_operation_and_outcome()
    {
        var key = (await _kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        ActivityTraceId trace;
        using (var test = Source.StartActivity("telemetry test"))
        {
            trace = test!.TraceId;
            await _kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId });
            await _kms.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.Arn });
            await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() =>
                _kms.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = key.KeyId, Policy = "{}" }));
        }

        Assert.True(_measurements.Count(m => m == ("kms.requests", "GetKeyPolicy", "ok")) >= 2);
        Assert.True(_measurements.Count(m => m == ("kms.request.duration", "GetKeyPolicy", "ok")) >= 2);
        Assert.Contains(("kms.requests", "PutKeyPolicy", "MalformedPolicyDocumentException"), _measurements);
        var ours = _activities.Where(a => a.TraceId == trace && a.Source.Name == "OrleansKms.Gateway").OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(["kms.GetKeyPolicy", "kms.GetKeyPolicy", "kms.PutKeyPolicy"], ours.Select(a => a.DisplayName));
        Assert.All(ours.Take(2), a =>
        {
            Assert.Equal("ok", a.GetTagItem("kms.outcome"));
            Assert.Equal("000000000000", a.GetTagItem("kms.account"));
            Assert.Equal(ActivityStatusCode.Unset, a.Status);
        });
        var put = ours.Single(a => a.DisplayName == "kms.PutKeyPolicy");
        Assert.Equal(ActivityStatusCode.Error, put.Status);
        Assert.Equal("MalformedPolicyDocumentException", put.StatusDescription);
    }

    [Fact]
    public async Task An_unknown_operation_is_counted_as_unknown_so_callers_cannot_mint_tag_values()
    {
        var target = $"TrentService.Made{Guid.NewGuid():N}";

        (await Raw.CallAsync(_fixture.Server.Endpoint, target, "{}")).AssertError("UnknownOperationException");

        Assert.Contains(("kms.requests", "unknown", "UnknownOperationException"), _measurements);
        Assert.DoesNotContain(_measurements, m => m.Operation?.StartsWith("Made", StringComparison.Ordinal) == true);
    }

    public void Dispose()
    {
        _meters.Dispose();
        _traces.Dispose();
    }
}
