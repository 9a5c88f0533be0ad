using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansKms.Crypto;
using OrleansKms.Crypto.Keys;
using OrleansKms.Grains.KeyPool;

namespace OrleansKms.UnitTests.Crypto.Keys;

public sealed class RsaKeyPoolTests
{
    /// <summary>Stand-in keys (a serial number per key) and every key it made, so tests can see what the pool zeroed.</summary>
    private sealed class CountingGenerator
    {
        private long _next;

        public ConcurrentBag<SecretBytes> Made { get; } = [];

        public SecretBytes Generate(int bits)
        {
            var bytes = new byte[16];
            BitConverter.TryWriteBytes(bytes, Interlocked.Increment(ref _next));
            BitConverter.TryWriteBytes(bytes.AsSpan(8), bits);
            var key = SecretBytes.TakeOwnership(bytes);
            Made.Add(key);
            return key;
        }
    }

    private static Dictionary<int, int> Targets(int rsa2048, int rsa3072 = 0, int rsa4096 = 0) =>
        new() { [2048] = rsa2048, [3072] = rsa3072, [4096] = rsa4096 };

    private static void Fill(RsaKeyPool pool)
    {
        while (pool.FillOne())
        {
        }
    }

    private static bool IsZero(SecretBytes key) => key.Expose().IndexOfAnyExcept((byte)0) < 0;

    [Fact]
    public void Fills_each_size_to_its_target_and_no_further()
    {
        var generator = new CountingGenerator();
        using var pool = new RsaKeyPool(Targets(3, 2, 1), generator.Generate);
        Fill(pool);
        Assert.Equal((3, 2, 1), (pool.Available(2048), pool.Available(3072), pool.Available(4096)));
        Assert.Equal(6, generator.Made.Count);
        Assert.False(pool.FillOne());
    }

    [Fact]
    public void Concurrent_takers_never_receive_the_same_key()
    {
        var generator = new CountingGenerator();
        using var pool = new RsaKeyPool(Targets(64), generator.Generate);
        Fill(pool);
        var taken = new ConcurrentBag<string>();
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ => taken.Add(Convert.ToHexString(pool.Take(2048).Expose())));

        Assert.Equal(200, taken.Count);
        Assert.Equal(200, taken.Distinct().Count());
        Assert.Equal((64L, 136L), pool.Taken(2048));
        Assert.Equal(0, pool.Available(2048));
    }

    [Fact]
    public async Task A_key_taken_while_a_filler_refills_is_handed_out_once()
    {
        var generator = new CountingGenerator();
        using var pool = new RsaKeyPool(Targets(4), generator.Generate);
        Fill(pool);
        using var stop = new CancellationTokenSource();
        var filler = Task.Run(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    if (!pool.FillOne()) pool.WaitForDemand(stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // stopped while waiting for demand
            }
        });
        var taken = new ConcurrentBag<string>();
        Parallel.For(0, 500, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ => taken.Add(Convert.ToHexString(pool.Take(2048).Expose())));
        stop.Cancel();
        await filler;

        Assert.Equal(500, taken.Distinct().Count());
        var (pooled, inline) = pool.Taken(2048);
        Assert.Equal(500, pooled + inline);
        Assert.True(pooled >= 4, $"the 4 keys pooled beforehand were handed out ({pooled} pooled)");
    }

    [Fact]
    public void An_empty_pool_generates_inline()
    {
        using var pool = new RsaKeyPool(Targets(2));
        using var key = pool.Take(2048);
        using var loaded = AsymmetricKey.Load("RSA_2048", key.Expose());

        Assert.Equal("RSA_2048", loaded.KeySpec);
        Assert.Equal((0L, 1L), pool.Taken(2048));
    }

    [Fact]
    public void A_size_turned_off_is_never_filled_and_still_served()
    {
        var generator = new CountingGenerator();
        using var pool = new RsaKeyPool(Targets(0), generator.Generate);
        Assert.False(pool.FillOne());
        using var key = pool.Take(2048);
        Assert.Equal((0L, 1L), pool.Taken(2048));
    }

    [Fact]
    public void Taking_signals_the_filler()
    {
        var generator = new CountingGenerator();
        using var pool = new RsaKeyPool(Targets(1), generator.Generate);
        Fill(pool);
        using var key = pool.Take(2048);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        pool.WaitForDemand(timeout.Token);
        Assert.True(pool.FillOne());
        Assert.Equal(1, pool.Available(2048));
    }

    [Fact]
    public async Task WhenAvailable_completes_once_a_filler_has_added_the_keys()
    {
        var generator = new CountingGenerator();
        using var pool = new RsaKeyPool(Targets(2), generator.Generate);
        var waiting = pool.WhenAvailableAsync(2048, 2, TestContext.Current.CancellationToken);
        Assert.False(waiting.IsCompleted);
        pool.FillOne();
        pool.FillOne();
        await waiting.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(2, pool.Available(2048));
    }

    [Fact]
    public void Disposing_zeroes_the_keys_still_pooled_but_not_those_handed_out()
    {
        var generator = new CountingGenerator();
        var pool = new RsaKeyPool(Targets(3, 1), generator.Generate);
        Fill(pool);
        var taken = pool.Take(2048);
        pool.Dispose();

        Assert.False(IsZero(taken));
        Assert.Equal(3, generator.Made.Count(IsZero));
        Assert.Equal(0, pool.Available(2048));
        Assert.False(pool.FillOne());
    }

    [Fact]
    public void Taking_a_key_and_disposing_it_zeroes_it()
    {
        var generator = new CountingGenerator();
        using var pool = new RsaKeyPool(Targets(1), generator.Generate);
        Fill(pool);
        var key = pool.Take(2048);
        key.Dispose();
        Assert.True(IsZero(Assert.Single(generator.Made)));
    }

    [Fact]
    public void Real_pooled_keys_are_rsa_keys_of_their_size()
    {
        using var pool = new RsaKeyPool(Targets(1));
        Fill(pool);
        using var key = pool.Take(2048);
        using var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(key.Expose(), out _);

        Assert.Equal(2048, rsa.KeySize);
        Assert.Equal((1L, 0L), pool.Taken(2048));
    }

    [Fact]
    public void Targets_outside_the_rsa_sizes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new RsaKeyPool(new Dictionary<int, int> { [1024] = 1 }));
        Assert.Throws<ArgumentException>(() => new RsaKeyPool(new Dictionary<int, int> { [2048] = -1 }));
    }

    [Theory]
    [InlineData("off", 0, 0, 0)]
    [InlineData("2048=2,3072=1,4096=0", 2, 1, 0)]
    [InlineData("4096=9", 8, 4, 9)]
    public void Options_parse_the_command_line_form(string text, int rsa2048, int rsa3072, int rsa4096)
    {
        var options = RsaKeyPoolOptions.Parse(text, out var error);
        Assert.Null(error);
        Assert.Equal((rsa2048, rsa3072, rsa4096), (options!.Rsa2048, options.Rsa3072, options.Rsa4096));
    }

    [Theory]
    [InlineData("on")]
    [InlineData("1024=4")]
    [InlineData("2048=-1")]
    [InlineData("2048=1001")]
    [InlineData("2048")]
    public void Options_refuse_anything_else(string text)
    {
        Assert.Null(RsaKeyPoolOptions.Parse(text, out var error));
        Assert.Contains("2048=8,3072=4,4096=4", error);
    }

    [Fact]
    public void The_validator_names_the_setting_to_fix()
    {
        var result = new RsaKeyPoolOptionsValidator().Validate(null, new RsaKeyPoolOptions { Rsa4096 = -1 });
        Assert.True(result.Failed);
        Assert.Contains("RsaKeyPoolOptions.Rsa4096 must be from 0 to 1000", result.FailureMessage);
    }

    [Fact]
    public async Task The_hosted_filler_fills_the_pool_and_refills_after_a_take()
    {
        var generator = new CountingGenerator();
        using var pool = new RsaKeyPool(Targets(2, 1, 1), generator.Generate);
        using var filler = new RsaKeyPoolFiller(pool, Options.Create(new RsaKeyPoolOptions()), NullLogger<RsaKeyPoolFiller>.Instance);
        var cancel = TestContext.Current.CancellationToken;
        await filler.StartAsync(cancel);
        try
        {
            await pool.WhenAvailableAsync(2048, 2, cancel).WaitAsync(TimeSpan.FromSeconds(30), cancel);
            await pool.WhenAvailableAsync(4096, 1, cancel).WaitAsync(TimeSpan.FromSeconds(30), cancel);
            pool.Take(2048).Dispose();
            await pool.WhenAvailableAsync(2048, 2, cancel).WaitAsync(TimeSpan.FromSeconds(30), cancel);
            Assert.Equal(5, generator.Made.Count);
        }
        finally
        {
            await filler.StopAsync(cancel);
        }
    }

    [Fact]
    public async Task The_hosted_filler_does_nothing_when_background_filling_is_off()
    {
        var generator = new CountingGenerator();
        using var pool = new RsaKeyPool(Targets(2), generator.Generate);
        using var filler = new RsaKeyPoolFiller(pool, Options.Create(new RsaKeyPoolOptions { FillInBackground = false }), NullLogger<RsaKeyPoolFiller>.Instance);
        await filler.StartAsync(TestContext.Current.CancellationToken);
        await filler.StopAsync(TestContext.Current.CancellationToken);
        Assert.Empty(generator.Made);
    }
}
