namespace OrleansKms.Cli.Regions;

/// <summary>
/// The drill's two Regions, stopped and started through the dev-admin surface, each request signed for the other
/// Region (requests signed for a stopped Region get no answer). It remembers what it stopped, so that
/// <see cref="RestoreAsync"/> can start it again however the drill ends.
/// </summary>
internal sealed class DrillRegions(HttpClient http, DrillOptions options, TimeProvider time)
{
    private static readonly TimeSpan RestoreTimeout = TimeSpan.FromSeconds(60);

    private readonly RegionAdmin _signedForReplica = Admin(http, options, options.Replica, time);
    private readonly RegionAdmin _signedForPrimary = Admin(http, options, options.Primary, time);
    private readonly HashSet<string> _stopped = new(StringComparer.Ordinal);

    /// <summary>
    /// Before the drill changes anything: the service has the dev-admin surface, serves both Regions, and neither is
    /// stopped (as a drill interrupted beyond its clean-up would leave it).
    /// </summary>
    public async Task CheckAsync(CancellationToken cancel)
    {
        RegionStates states;
        try
        {
            states = await _signedForReplica.StatusAsync(cancel);
        }
        catch (RegionAdminException e)
        {
            throw new DrillException($"region status: {e.Message}");
        }

        foreach (var region in new[] { options.Primary, options.Replica })
        {
            var state = states.Regions.FirstOrDefault(s => s.Region == region)?.State;
            if (state is null) throw new DrillException($"{options.Connection.Endpoint} does not serve {region} (see 'kms region status').");
            if (state == "stopped") throw new DrillException($"{region} is stopped; start it with 'kms region start {region}' first.");
        }
    }

    public async Task StopAsync(string region, CancellationToken cancel)
    {
        // Noted first: a stop cancelled while under way may still have stopped the Region.
        _stopped.Add(region);
        await CallAsync("stop", region, admin => admin.StopAsync(region, cancel));
    }

    public async Task StartAsync(string region, CancellationToken cancel)
    {
        await CallAsync("start", region, admin => admin.StartAsync(region, cancel));
        _stopped.Remove(region);
    }

    /// <summary>Starts again every Region the drill stopped and did not start, saying so on <paramref name="error"/>.</summary>
    public async Task RestoreAsync(TextWriter error)
    {
        foreach (var region in _stopped.ToList())
        {
            using var timeout = new CancellationTokenSource(RestoreTimeout);
            try
            {
                await StartAsync(region, timeout.Token);
                error.WriteLine($"kms drill failover: started {region} again.");
            }
            catch (Exception e) when (e is DrillException or OperationCanceledException)
            {
                error.WriteLine($"kms drill failover: could not start {region} again ({e.Message}); run 'kms region start {region}'.");
            }
        }
    }

    private async Task CallAsync(string operation, string region, Func<RegionAdmin, Task<RegionStates>> call)
    {
        try
        {
            await call(region == options.Primary ? _signedForReplica : _signedForPrimary);
        }
        catch (RegionAdminException e)
        {
            throw new DrillException($"region {operation} {region}: {e.Message}");
        }
    }

    private static RegionAdmin Admin(HttpClient http, DrillOptions o, string signingRegion, TimeProvider time) =>
        new(http, o.Connection.Endpoint, signingRegion, o.Connection.AccessKey, o.Connection.SecretKey, time);
}
