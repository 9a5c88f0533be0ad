using System.Security.Cryptography;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using OrleansKms.Hosting;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// The KMS grain storage on Azure tables (the run's shared Azurite), as the silo registers it: Orleans' table storage
/// semantics (optimistic concurrency by ETag, insert when there is no ETag, delete on clear) with a row of its own
/// per grain and state, and states larger than a table property split over several.
/// </summary>
public sealed class KmsTableGrainStorageTests(SharedAzurite azurite)
{
    private readonly (string ServiceId, string RootKeyFile) _service = azurite.NewService("tablestore");

    private async Task<(KmsServer Server, IGrainStorage Storage)> StartAsync()
    {
        var server = await KmsServer.StartAsync(azurite.Options(_service.ServiceId, _service.RootKeyFile), TestContext.Current.CancellationToken);
        return (server, server.Services.GetRequiredKeyedService<IGrainStorage>(KmsSiloBuilderExtensions.StoreName));
    }

    private static GrainId NewGrain() => GrainId.Create("test", Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Stale_ETags_and_inserts_over_an_existing_row_are_refused_and_the_stored_state_is_kept()
    {
        var (server, storage) = await StartAsync();
        await using var _ = server;
        var grain = NewGrain();
        var first = new GrainState<List<string>>(["one"]);
        await storage.WriteStateAsync("items", grain, first);
        var staleETag = first.ETag;

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("items", grain, new GrainState<List<string>>(["blind insert"])));
        first.State.Add("two");
        await storage.WriteStateAsync("items", grain, first);
        Assert.NotEqual(staleETag, first.ETag);
        var stale = new GrainState<List<string>>(["stale"]) { ETag = staleETag };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("items", grain, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("items", grain, stale));

        var read = new GrainState<List<string>>([]);
        await storage.ReadStateAsync("items", grain, read);
        Assert.Equal(["one", "two"], read.State);
        Assert.Equal((first.ETag, true), (read.ETag, read.RecordExists));
        var otherState = new GrainState<List<string>>([]);
        await storage.ReadStateAsync("other", grain, otherState);
        Assert.False(otherState.RecordExists);

        await storage.ClearStateAsync("items", grain, read);
        var cleared = new GrainState<List<string>>([]);
        await storage.ReadStateAsync("items", grain, cleared);
        Assert.Equal((false, null), (cleared.RecordExists, cleared.ETag));
        await storage.WriteStateAsync("items", grain, new GrainState<List<string>>(["again"]));
    }

    [Fact]
    public async Task A_state_larger_than_a_table_property_is_split_over_several_and_read_back_whole()
    {
        var (server, storage) = await StartAsync();
        await using var _ = server;
        var grain = NewGrain();
        var large = new GrainState<byte[]>(RandomNumberGenerator.GetBytes(300_000));
        await storage.WriteStateAsync("large", grain, large);

        var read = new GrainState<byte[]>([]);
        await storage.ReadStateAsync("large", grain, read);
        Assert.Equal(large.State, read.State);
        var table = new TableServiceClient(azurite.ConnectionString).GetTableClient("kmskeys");
        var row = Assert.Single(table.Query<TableEntity>(e => e.RowKey == "large$" + _service.ServiceId + "_" + grain.ToString().Replace('/', '_')));
        Assert.Equal(["State", "State1", "State2", "State3", "State4"], row.Keys.Where(k => k.StartsWith("State", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

        var tooLarge = new GrainState<byte[]>(new byte[15 * 64 * 1024 + 1]);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => storage.WriteStateAsync("too-large", grain, tooLarge));
        var absent = new GrainState<byte[]>([]);
        await storage.ReadStateAsync("too-large", grain, absent);
        Assert.False(absent.RecordExists);
    }
}
