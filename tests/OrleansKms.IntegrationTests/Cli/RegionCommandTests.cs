using System.Text.Json;
using Amazon.KeyManagementService.Model;
using OrleansKms.Cli.Regions;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary>The output and exit code of one <c>kms</c> command run in-process.</summary>
public sealed record CommandRun(int Code, string Output, string Error);

/// <summary>
/// <c>kms region status|stop|start</c> as a user runs it against a server started with --dev-admin: a stopped Region's
/// requests get no answer, a request about a stopped Region still goes through (signed for another Region), and the
/// table and JSON say each Region's state.
/// </summary>
[Collection(DevAdminServerCollection.Name)]
public sealed class RegionCommandTests(DevAdminServerFixture fixture)
{
    // A Region no other test of the collection uses, so stopping it disturbs nothing else.
    private const string Sydney = "ap-southeast-2";

    internal static async Task<CommandRun> RunAsync(Uri endpoint, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await RegionCommand.RunAsync([.. args, "--endpoint-url", endpoint.ToString()], output, error, TimeProvider.System,
            TestContext.Current.CancellationToken);
        return new CommandRun(code, output.ToString(), error.ToString());
    }

    internal static async Task<Dictionary<string, string>> StatesAsync(Uri endpoint, params string[] args)
    {
        var run = await RunAsync(endpoint, [.. args, "--output", "json"]);
        Assert.True(run.Code == 0, run.Error);
        var states = JsonSerializer.Deserialize(run.Output, RegionJsonContext.Default.RegionStates)!;
        return states.Regions.ToDictionary(r => r.Region, r => r.State);
    }

    [Fact]
    public async Task Status_lists_every_served_Region_with_the_home_Region_running()
    {
        using var kms = fixture.Client();
        await kms.ListKeysAsync(new ListKeysRequest(), TestContext.Current.CancellationToken);

        var states = await StatesAsync(fixture.Server.Endpoint, "status");
        var text = await RunAsync(fixture.Server.Endpoint, "status");

        Assert.Equal(fixture.Server.Regions.Order(), states.Keys.Order());
        Assert.Equal("running", states["us-east-1"]);
        Assert.All(states.Values, s => Assert.Contains(s, new[] { "running", "stopped", "idle" }));
        Assert.Equal(0, text.Code);
        Assert.StartsWith("REGION            STATE" + Environment.NewLine, text.Output);
        Assert.Contains(Environment.NewLine + "us-east-1         running" + Environment.NewLine, text.Output);
    }

    [Fact]
    public async Task A_stopped_Region_answers_no_request_until_it_is_started_and_the_commands_about_it_are_signed_for_another_Region()
    {
        var cancel = TestContext.Current.CancellationToken;
        using var sydney = SdkClients.Create(fixture.Server.Endpoint, Sydney, "test", "test");
        var key = (await sydney.CreateKeyAsync(new CreateKeyRequest(), cancel)).KeyMetadata;

        var stop = await RunAsync(fixture.Server.Endpoint, "stop", Sydney, "--region", Sydney);
        var refused = await Record.ExceptionAsync(() => sydney.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }, cancel));
        var whileStopped = await StatesAsync(fixture.Server.Endpoint, "status", "--region", Sydney);
        var start = await RunAsync(fixture.Server.Endpoint, "start", Sydney, "--region", Sydney);

        Assert.Equal(0, stop.Code);
        Assert.StartsWith($"Stopped {Sydney}: requests signed for it now get no answer (the connection is closed).", stop.Output);
        Assert.Contains($"{Sydney}    stopped", stop.Output);
        // The SDK for .NET, with no retries, throws the IOException of the reset connection (or an HttpRequestException around it).
        Assert.True(Causes(refused).Any(t => t == typeof(IOException) || t == typeof(HttpRequestException)), refused!.ToString());
        Assert.Equal("stopped", whileStopped[Sydney]);
        Assert.Equal(0, start.Code);
        Assert.StartsWith($"Started {Sydney}.", start.Output);
        Assert.Equal("running", (await StatesAsync(fixture.Server.Endpoint, "status"))[Sydney]);
        Assert.Equal(Sydney, (await sydney.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }, cancel)).KeyMetadata.Arn.Split(':')[3]);
    }

    [Fact]
    public async Task Stop_and_start_answer_every_Region_state_as_JSON_and_take_the_endpoint_as_endpoint_too()
    {
        var stopped = await StatesAsync(fixture.Server.Endpoint, "stop", Sydney);
        var started = await StatesAsync(fixture.Server.Endpoint, "start", Sydney, "--endpoint", fixture.Server.Endpoint.ToString());

        Assert.Equal("stopped", stopped[Sydney]);
        Assert.Equal("running", started[Sydney]);
        Assert.Equal(fixture.Server.Regions.Count, started.Count);
    }

    [Fact]
    public async Task A_Region_the_endpoint_does_not_serve_is_the_service_s_ValidationException_and_exit_code_1()
    {
        var run = await RunAsync(fixture.Server.Endpoint, "stop", "moon-1");

        Assert.Equal(1, run.Code);
        Assert.StartsWith("kms region stop: ValidationException: The body must name a Region this endpoint serves", run.Error);
        Assert.Empty(run.Output);
    }

    [Theory]
    [InlineData]
    [InlineData("pause", "us-east-1")]
    [InlineData("stop")]
    [InlineData("start", "us-east-1", "eu-west-1")]
    [InlineData("status", "us-east-1")]
    [InlineData("status", "--output", "xml")]
    [InlineData("status", "--nonsense", "1")]
    [InlineData("status", "--region")]
    public async Task A_bad_command_line_exits_with_2_and_says_what_is_wrong(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await RegionCommand.RunAsync(args, output, error, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.StartsWith("kms region: ", error.ToString());
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task Help_prints_the_subcommands_and_the_connection_options()
    {
        using var output = new StringWriter();

        var code = await RegionCommand.RunAsync(["stop", "--help"], output, TextWriter.Null, TimeProvider.System, TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
        Assert.StartsWith("Usage: kms region SUBCOMMAND [REGION] [options]", output.ToString());
        Assert.Contains("--endpoint-url URL", output.ToString());
    }

    private static IEnumerable<Type> Causes(Exception? e)
    {
        for (; e is not null; e = e.InnerException) yield return e.GetType();
    }
}

/// <summary>Against a server without --dev-admin, <c>kms region</c> says how to start one that has it.</summary>
[Collection(KmsServerCollection.Name)]
public sealed class RegionCommandWithoutDevAdminTests(KmsServerFixture fixture)
{
    [Fact]
    public async Task Status_exits_with_1_and_names_the_missing_dev_admin_option()
    {
        var run = await RegionCommandTests.RunAsync(fixture.Server.Endpoint, "status");

        Assert.Equal(1, run.Code);
        Assert.Equal($"kms region status: {fixture.Server.Endpoint} has no development admin surface (start the service with --dev-admin).",
            run.Error.TrimEnd());
    }
}
