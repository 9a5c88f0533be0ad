using System.Collections.Concurrent;
using OrleansKms.Grains;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Cluster;

/// <summary>
/// Two silos whose incoming calls to key grains are counted, by method; not GetBillingFactsAsync, which the key
/// catalog's shard asks in the background to confirm a new key's id (its sweep may run at any time after CreateKey),
/// and which no cryptographic operation calls.
/// </summary>
public sealed class CountedKeyCallsClusterFixture : TwoSiloClusterFixture
{
    public ConcurrentDictionary<string, int> KeyGrainCalls { get; } = new();

    protected override void ConfigureSilo(ISiloBuilder silo) =>
        silo.AddIncomingGrainCallFilter(context =>
        {
            if (context.InterfaceMethod?.DeclaringType == typeof(IKeyGrain) && context.InterfaceMethod.Name != nameof(IKeyGrain.GetBillingFactsAsync))
                KeyGrainCalls.AddOrUpdate(context.InterfaceMethod.Name, 1, (_, n) => n + 1);
            return context.Invoke();
        });
}

/// <summary>
/// A hot key is served by every silo at once: each silo encrypts and decrypts with its own cached copy of the key,
/// so the key's one grain activation is not on the path of its cryptography and does not cap its throughput.
/// </summary>
public sealed class HotKeyTests(CountedKeyCallsClusterFixture cluster) : IClassFixture<CountedKeyCallsClusterFixture>
{
    [Fact]
    public async Task Thousands_of_concurrent_Encrypts_and_Decrypts_on_both_silos_make_no_call_to_the_key_grain()
    {
        var arn = new KeyArn(cluster.Region, cluster.Caller.AccountId, KeyIds.NewSingleRegion());
        await cluster.Silo(0).GetGrain<IKeyGrain>(arn.Value).CreateAsync(new CreateKeyCommand { Caller = cluster.Caller });
        var context = new Dictionary<string, string> { ["tenant"] = "a" };
        Task<EncryptResult> Encrypt(int silo, int i) => cluster.Silo(silo).GetGrain<ICryptoWorker>(0)
            .EncryptAsync(new EncryptCommand(cluster.Caller, arn.Value, BitConverter.GetBytes(i), context, false, cluster.Region)).AsTask();
        Task<DecryptResult> Decrypt(int silo, byte[] blob) => cluster.Silo(silo).GetGrain<ICryptoWorker>(0)
            .DecryptAsync(new DecryptCommand(cluster.Caller, blob, context, null, cluster.Region, false)).AsTask();
        await Encrypt(0, -1);
        await Encrypt(1, -1); // each silo loads the key once
        Assert.Contains("CreateAsync", cluster.KeyGrainCalls.Keys); // (the count sees calls to the key grain)
        cluster.KeyGrainCalls.Clear();

        var blobs = await Task.WhenAll(Enumerable.Range(0, 2000).Select(i => Encrypt(i % 2, i)));
        var plaintexts = await Task.WhenAll(blobs.Select((b, i) => Decrypt((i + 1) % 2, b.CiphertextBlob))); // each on the other silo

        Assert.Equal(Enumerable.Range(0, 2000).Select(i => BitConverter.GetBytes(i)), plaintexts.Select(p => p.Plaintext));
        Assert.Empty(cluster.KeyGrainCalls); // not one of the 4,000 operations reached the key's grain
    }
}
