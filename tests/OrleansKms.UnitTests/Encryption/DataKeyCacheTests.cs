using Microsoft.Extensions.Time.Testing;
using OrleansKms.Encryption;

namespace OrleansKms.UnitTests.Encryption;

/// <summary>The data-key cache: reuse within the limits of age, messages and bytes, LRU capacity, and zeroed keys.</summary>
public sealed class DataKeyCacheTests
{
    private readonly FakeKms _kms = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.Parse("2026-12-01T00:00:00Z"));

    private EnvelopeEncryptionClient Client(DataKeyCache cache, string key) =>
        new(_kms.Keyring(key), new EnvelopeEncryptionOptions { Cache = cache, FrameLength = 64 });

    private DataKeyCache Cache(TimeSpan maxAge, long messages = 1L << 32, long bytes = long.MaxValue, int capacity = 100) =>
        new(new DataKeyCacheOptions { MaxAge = maxAge, MaxMessagesPerKey = messages, MaxBytesPerKey = bytes, Capacity = capacity, TimeProvider = _clock });

    private static Task EncryptAsync(EnvelopeEncryptionClient client, int size = 10, string tenant = "a") =>
        client.EncryptAsync(new byte[size], new Dictionary<string, string> { ["tenant"] = tenant }, TestContext.Current.CancellationToken);

    [Fact]
    public async Task A_data_key_is_reused_until_it_is_MaxAge_old()
    {
        using var cache = Cache(TimeSpan.FromMinutes(5));
        var client = Client(cache, _kms.CreateKey());

        await EncryptAsync(client);
        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        await EncryptAsync(client);
        var beforeExpiry = _kms.GenerateCalls;
        _clock.Advance(TimeSpan.FromTicks(1));
        await EncryptAsync(client);

        Assert.Equal(1, beforeExpiry);
        Assert.Equal(2, _kms.GenerateCalls);
    }

    [Fact]
    public async Task A_data_key_encrypts_at_most_MaxMessagesPerKey_messages()
    {
        using var cache = Cache(TimeSpan.FromHours(1), messages: 3);
        var client = Client(cache, _kms.CreateKey());

        for (var i = 0; i < 7; i++) await EncryptAsync(client);

        Assert.Equal(3, _kms.GenerateCalls); // messages 1-3, 4-6, 7
    }

    [Fact]
    public async Task A_data_key_encrypts_at_most_MaxBytesPerKey_bytes_and_a_larger_message_bypasses_the_cache()
    {
        using var cache = Cache(TimeSpan.FromHours(1), bytes: 100);
        var client = Client(cache, _kms.CreateKey());

        await EncryptAsync(client, 60);
        await EncryptAsync(client, 40); // 100 bytes: still within the limit
        await EncryptAsync(client, 1);  // 101: a new key
        var withinLimits = _kms.GenerateCalls;
        await EncryptAsync(client, 101); // larger than the limit: never cached
        await EncryptAsync(client, 1);   // the entry of the third message is still there

        Assert.Equal(2, withinLimits);
        Assert.Equal(3, _kms.GenerateCalls);
    }

    [Fact]
    public async Task A_stream_of_unknown_length_always_gets_a_new_data_key()
    {
        using var cache = Cache(TimeSpan.FromHours(1));
        var client = Client(cache, _kms.CreateKey());

        for (var i = 0; i < 3; i++)
            await client.EncryptAsync(new EnvelopeRoundTripTests.TrickleStream(new byte[10]), Stream.Null, null, TestContext.Current.CancellationToken);

        Assert.Equal(3, _kms.GenerateCalls);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task The_least_recently_used_entry_goes_beyond_capacity_and_contexts_do_not_share_keys()
    {
        using var cache = Cache(TimeSpan.FromHours(1), capacity: 2);
        var client = Client(cache, _kms.CreateKey());

        await EncryptAsync(client, tenant: "a");
        await EncryptAsync(client, tenant: "b");
        await EncryptAsync(client, tenant: "a"); // hit; b is now least recently used
        await EncryptAsync(client, tenant: "c"); // evicts b
        var beforeB = _kms.GenerateCalls;
        await EncryptAsync(client, tenant: "a"); // still cached
        await EncryptAsync(client, tenant: "b"); // was evicted

        Assert.Equal(3, beforeB);
        Assert.Equal(4, _kms.GenerateCalls);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task Decryption_reuses_a_data_key_until_MaxAge_and_a_keyring_with_other_keys_does_not_share_it()
    {
        using var cache = Cache(TimeSpan.FromMinutes(1));
        var key = _kms.CreateKey();
        var client = Client(cache, key);
        var message = await client.EncryptAsync(new byte[10], null, TestContext.Current.CancellationToken);

        await client.DecryptAsync(message, null, TestContext.Current.CancellationToken);
        await client.DecryptAsync(message, null, TestContext.Current.CancellationToken);
        var cached = _kms.DecryptCalls;
        await Client(cache, key + "x").DecryptAsync(message, null, TestContext.Current.CancellationToken).ContinueWith(_ => { });
        _clock.Advance(TimeSpan.FromMinutes(1));
        await client.DecryptAsync(message, null, TestContext.Current.CancellationToken);

        Assert.Equal(1, cached);
        Assert.Equal(2, _kms.DecryptCalls);
    }

    [Fact]
    public async Task Evicted_and_cleared_entries_have_their_data_keys_zeroed_and_callers_hold_copies()
    {
        using var cache = Cache(TimeSpan.FromHours(1), capacity: 1);
        var made = new List<EncryptionMaterials>();
        Task<EncryptionMaterials> Create()
        {
            var materials = new EncryptionMaterials(AlgorithmSuite.AesGcm256HkdfSha512CommitKey, [.. Enumerable.Repeat((byte)7, 32)], [],
                new Dictionary<string, string>(), null);
            made.Add(materials);
            return Task.FromResult(materials);
        }

        using var first = await cache.GetEncryptionAsync("a", 1, Create);
        using var second = await cache.GetEncryptionAsync("b", 1, Create); // evicts a
        var firstAfterEviction = made[0].DataKey.ToArray();
        cache.Clear();

        Assert.All(firstAfterEviction, b => Assert.Equal(0, b));
        Assert.All(made[1].DataKey, b => Assert.Equal(0, b));
        Assert.All(first.DataKey, b => Assert.Equal(7, b));
        Assert.All(second.DataKey, b => Assert.Equal(7, b));
    }

    [Fact]
    public void Options_without_a_max_age_are_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => new DataKeyCache(new DataKeyCacheOptions()));

        Assert.StartsWith("MaxAge must be greater than zero.", error.Message);
    }
}
