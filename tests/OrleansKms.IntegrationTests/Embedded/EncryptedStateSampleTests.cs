using System.Collections.Concurrent;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using EncryptedStateSample;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Core.Internal;
using Orleans.Storage;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Embedded;

/// <summary>
/// The encrypted-state sample (client/Samples/EncryptedStateSample) wired as its Program wires it, its grain storage
/// swapped for one that keeps the bytes a storage provider is given, so the tests can read what is at rest.
/// </summary>
public sealed class EncryptedStateSampleFixture : IAsyncLifetime
{
    public IHost Host { get; private set; } = null!;

    public RecordingGrainStorage Storage { get; private set; } = null!;

    public IGrainFactory Grains => Host.Services.GetRequiredService<IGrainFactory>();

    public async ValueTask InitializeAsync()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.AddEncryptedStateSample(TestPorts.Free(), TestPorts.Free(), grainStorage: silo =>
            silo.Services.AddKeyedSingleton<IGrainStorage>(SampleHost.StorageName, (sp, _) =>
                Storage = new RecordingGrainStorage(sp.GetRequiredService<IGrainStorageSerializer>())));
        Host = builder.Build();
        await Host.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }
}

/// <summary>A grain storage provider that keeps, per grain, the bytes Orleans' storage serializer made of the state.</summary>
public sealed class RecordingGrainStorage(IGrainStorageSerializer serializer) : IGrainStorage
{
    public ConcurrentDictionary<GrainId, byte[]> Stored { get; } = new();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Stored.TryGetValue(grainId, out var bytes))
        {
            grainState.State = serializer.Deserialize<T>(new BinaryData(bytes));
            grainState.RecordExists = true;
            grainState.ETag = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var bytes = serializer.Serialize(grainState.State).ToArray();
        Stored[grainId] = bytes;
        grainState.RecordExists = true;
        grainState.ETag = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Stored.TryRemove(grainId, out _);
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    public byte[] Of(string grainKey) => Stored.Single(e => e.Key.Key.ToString() == grainKey).Value;
}

/// <summary>
/// Grains that seal their own state with envelope encryption through the embedded KMS client: what is stored holds no
/// plaintext, reads back after the grain is reactivated, and cannot be opened as another grain's state.
/// </summary>
public sealed class EncryptedStateSampleTests(EncryptedStateSampleFixture fixture) : IClassFixture<EncryptedStateSampleFixture>
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_note_is_stored_sealed_under_the_sample_key_and_reads_back_after_reactivation()
    {
        const string note = "alice's note: the vault combination is 31-41-59";
        var alice = fixture.Grains.GetGrain<ISecretNoteGrain>("alice");
        await alice.SetAsync(note);
        var stored = fixture.Storage.Of("alice");
        await alice.Cast<IGrainManagementExtension>().DeactivateOnIdle();

        var readBack = await alice.GetAsync();

        Assert.Equal(note, readBack);
        Assert.Equal(-1, IndexOf(stored, Encoding.UTF8.GetBytes(note)));
        Assert.Equal(-1, IndexOf(stored, Encoding.UTF8.GetBytes("31-41-59")));
        Assert.Equal(-1, IndexOf(stored, Encoding.UTF8.GetBytes(Convert.ToBase64String(Encoding.UTF8.GetBytes(note))[..20])));
        var state = Sealed("alice");
        var sampleKey = await fixture.Host.Services.GetRequiredService<IAmazonKeyManagementService>()
            .DescribeKeyAsync(new DescribeKeyRequest { KeyId = SampleHost.KeyAlias }, Cancel);
        Assert.Equal(sampleKey.KeyMetadata.Arn, state.KeyArn);
        Assert.Equal(Encoding.UTF8.GetByteCount(note), state.Ciphertext.Length);
        Assert.Equal(12, state.Nonce.Length);
        Assert.Equal(16, state.Tag.Length);
    }

    [Fact]
    public async Task Each_write_uses_a_new_data_key_and_nonce()
    {
        var bob = fixture.Grains.GetGrain<ISecretNoteGrain>("bob");
        await bob.SetAsync("same words");
        var first = Sealed("bob");
        await bob.SetAsync("same words");
        var second = Sealed("bob");

        Assert.NotEqual(first.EncryptedDataKey, second.EncryptedDataKey);
        Assert.NotEqual(first.Nonce, second.Nonce);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
    }

    [Fact]
    public async Task State_copied_to_another_grain_is_refused_because_KMS_binds_the_data_key_to_the_grain_id()
    {
        await fixture.Grains.GetGrain<ISecretNoteGrain>("carol").SetAsync("carol's note");
        var mallory = fixture.Grains.GetGrain<ISecretNoteGrain>("mallory");
        await mallory.SetAsync("mallory's own note");
        await mallory.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var malloryId = fixture.Storage.Stored.Keys.Single(k => k.Key.ToString() == "mallory");
        fixture.Storage.Stored[malloryId] = fixture.Storage.Of("carol");
        var cipher = fixture.Host.Services.GetRequiredService<EnvelopeCipher>();

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => mallory.GetAsync());
        var direct = await Assert.ThrowsAsync<InvalidCiphertextException>(() => cipher.OpenAsync(Sealed("carol"), EnvelopeCipher.ContextFor(malloryId), Cancel));

        Assert.Equal($"The stored state of {malloryId} was not sealed for this grain.", refused.Message);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, direct.StatusCode);
        var carolId = fixture.Storage.Stored.Keys.Single(k => k.Key.ToString() == "carol");
        Assert.Equal("carol's note", Encoding.UTF8.GetString(await cipher.OpenAsync(Sealed("carol"), EnvelopeCipher.ContextFor(carolId), Cancel)));
    }

    private SealedState Sealed(string grainKey) =>
        fixture.Host.Services.GetRequiredService<IGrainStorageSerializer>().Deserialize<SecretNoteState>(new BinaryData(fixture.Storage.Of(grainKey)))!.Note!;

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}
