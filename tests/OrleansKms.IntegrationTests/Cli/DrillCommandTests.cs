using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using OrleansKms.Cli.Regions;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>
/// <c>kms drill failover</c> as a user runs it against a server started with --dev-admin, with a short duration: the
/// replica Region keeps serving while the primary is stopped, replication lag is measured, a change made while the
/// replica was stopped arrives once it is back, the primary moves, and the Regions are running again at the end.
/// </summary>
[Collection(DevAdminServerCollection.Name)]
public sealed class DrillCommandTests(DevAdminServerFixture fixture)
{
    private const string Primary = "us-east-1";
    private const string Replica = "eu-west-1";

    internal static async Task<CommandRun> DrillAsync(Uri endpoint, TextWriter? output, CancellationToken cancel, params string[] args)
    {
        using var captured = new StringWriter();
        using var error = new StringWriter();
        var code = await DrillCommand.RunAsync(["failover", .. args, "--endpoint-url", endpoint.ToString()], output ?? captured, error,
            TimeProvider.System, cancel);
        return new CommandRun(code, (output ?? captured).ToString()!, error.ToString());
    }

    private Task<CommandRun> DrillAsync(params string[] args) =>
        DrillAsync(fixture.Server.Endpoint, null, TestContext.Current.CancellationToken, ["--primary", Primary, "--replica", Replica, .. args]);

    [Fact]
    public async Task The_replica_serves_through_the_primary_outage_the_queued_change_arrives_and_the_primary_moves()
    {
        var run = await DrillAsync("--duration", "6s", "--concurrency", "2", "--output", "json");

        Assert.True(run.Code == 0, run.Error + run.Output);
        var report = JsonSerializer.Deserialize(run.Output, DrillJsonContext.Default.DrillResults)!;
        Assert.StartsWith("mrk-", report.KeyId);
        Assert.Equal(DrillPhase.Names, report.Phases.Select(p => p.Name));
        var before = report.Phase(DrillPhase.Before);
        var outage = report.Phase(DrillPhase.PrimaryOutage);
        Assert.True(before.Primary.Served > 0 && before.Primary.Failed == 0, $"before: {before}");
        Assert.True(before.Replica.Served > 0 && before.Replica.Failed == 0, $"before: {before}");
        Assert.True(outage.Replica.Served > 0 && outage.Replica.Failed == 0, $"outage: {outage}");
        Assert.True(outage.Primary.Failed > 0, $"outage: {outage}");
        Assert.True(report.Outage.ReplicaFirstServedAfterMs < 1000, $"{report.Outage}");
        Assert.True(report.ReplicationLag is { Count: > 0, TimedOut: 0, Failed: 0, P99Ms: < 1000 }, $"{report.ReplicationLag}");
        Assert.True(report.QueuedChange.Arrived, $"{report.QueuedChange}");
        Assert.True(report.PrimaryMove is { Moved: true, NewPrimaryRegion: Replica }, $"{report.PrimaryMove}");
        Assert.All(report.Expectations, e => Assert.True(e.Held, e.Name));

        var states = await RegionCommandTests.StatesAsync(fixture.Server.Endpoint, "status");
        Assert.Equal(("running", "running"), (states[Primary], states[Replica]));
        using var replica = SdkClients.Create(fixture.Server.Endpoint, Replica, "test", "test");
        var rotation = await replica.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = report.KeyId }, TestContext.Current.CancellationToken);
        var metadata = (await replica.DescribeKeyAsync(new DescribeKeyRequest { KeyId = report.KeyId }, TestContext.Current.CancellationToken)).KeyMetadata;
        Assert.Equal(MultiRegionKeyType.PRIMARY, metadata.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.True(rotation.RotationPeriodInDays >= report.QueuedChange.RotationPeriodInDays, $"{rotation.RotationPeriodInDays}");
    }

    [Fact]
    public async Task The_text_report_shows_the_phases_the_replication_and_each_expectation_with_progress_before_it()
    {
        var run = await DrillAsync("--duration", "3s", "--concurrency", "1");

        Assert.True(run.Code == 0, run.Error + run.Output);
        Assert.StartsWith($"Setting up: CreateKey (MultiRegion) in {Primary}, ReplicateKey to {Replica}...", run.Output);
        Assert.Contains($"stopping {Primary} (signed for {Replica})...", run.Output);
        Assert.Contains($"  Regions:  primary {Primary}, replica {Replica}", run.Output);
        Assert.Contains("  PHASE                  FROM      TO   us-east-1 (primary)     eu-west-1 (replica)", run.Output);
        foreach (var phase in new[] { "before the outage", "primary stopped", "replica stopped", "after" })
            Assert.Contains(Environment.NewLine + "  " + phase.PadRight(19), run.Output);
        Assert.Contains("Replication lag (EnableKeyRotation in us-east-1 until GetKeyRotationStatus in eu-west-1 reports the period):", run.Output);
        Assert.Contains($"  PASS  {Replica} served during the {Primary} outage with no failures", run.Output);
        Assert.Contains("  PASS  the change queued while eu-west-1 was stopped arrived", run.Output);
        Assert.Contains("  PASS  the primary moved to eu-west-1", run.Output);
        Assert.EndsWith("Result: PASSED" + Environment.NewLine, run.Output);
    }

    [Fact]
    public async Task Interrupted_once_the_primary_is_stopped_the_drill_starts_it_again_and_exits_with_130()
    {
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var progress = new CancelOnLine($"{Primary} stopped (", interrupt);

        var run = await DrillAsync(fixture.Server.Endpoint, progress, interrupt.Token,
            "--primary", Primary, "--replica", Replica, "--duration", "30s", "--concurrency", "1");

        Assert.Equal(130, run.Code);
        Assert.Equal($"kms drill failover: started {Primary} again.{Environment.NewLine}kms drill failover: interrupted.{Environment.NewLine}", run.Error);
        var states = await RegionCommandTests.StatesAsync(fixture.Server.Endpoint, "status");
        Assert.Equal(("running", "running"), (states[Primary], states[Replica]));
    }

    [Theory]
    [InlineData("--replica", "eu-west-1")]
    [InlineData("--primary", "us-east-1")]
    [InlineData("--primary", "us-east-1", "--replica", "us-east-1")]
    [InlineData("--primary", "us-east-1", "--replica", "Ireland")]
    [InlineData("--primary", "us-east-1", "--replica", "eu-west-1", "--duration", "1s")]
    [InlineData("--primary", "us-east-1", "--replica", "eu-west-1", "--concurrency", "0")]
    [InlineData("--primary", "us-east-1", "--replica", "eu-west-1", "--output", "yaml")]
    [InlineData("--primary", "us-east-1", "--replica", "eu-west-1", "--region", "us-east-1")]
    [InlineData("--primary", "us-east-1", "--replica", "eu-west-1", "--endpoint-url", "ftp://localhost")]
    public async Task A_bad_command_line_exits_with_2_before_calling_anything(params string[] args)
    {
        using var error = new StringWriter();

        var code = await DrillCommand.RunAsync(["failover", .. args], TextWriter.Null, error, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.StartsWith("kms drill failover: ", error.ToString());
    }

    [Theory]
    [InlineData]
    [InlineData("rollback")]
    public async Task A_missing_or_unknown_subcommand_exits_with_2(params string[] args)
    {
        using var error = new StringWriter();

        Assert.Equal(2, await DrillCommand.RunAsync(args, TextWriter.Null, error, TimeProvider.System, TestContext.Current.CancellationToken));
        Assert.Contains("Usage: kms drill SUBCOMMAND [options]", error.ToString());
    }

    /// <summary>Progress output that cancels the drill (as Ctrl-C does) when a line containing <paramref name="text"/> is written.</summary>
    private sealed class CancelOnLine(string text, CancellationTokenSource interrupt) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value?.Contains(text, StringComparison.Ordinal) == true) interrupt.Cancel();
        }
    }
}

/// <summary>Against a server without --dev-admin the drill stops before it creates anything, and says why.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class DrillCommandWithoutDevAdminTests(KmsServerFixture fixture)
{
    [Fact]
    public async Task The_drill_exits_with_1_naming_the_missing_dev_admin_option()
    {
        var run = await DrillCommandTests.DrillAsync(fixture.Server.Endpoint, null, TestContext.Current.CancellationToken,
            "--primary", "us-east-1", "--replica", "eu-west-1", "--duration", "3s");

        Assert.Equal(1, run.Code);
        Assert.Equal($"kms drill failover: region status: {fixture.Server.Endpoint} has no development admin surface (start the service with --dev-admin).",
            run.Error.TrimEnd());
        Assert.Empty(run.Output);
    }
}
