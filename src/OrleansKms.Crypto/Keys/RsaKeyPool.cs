using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace OrleansKms.Crypto.Keys;

/// <summary>
/// RSA private keys generated ahead of time, so that CreateKey, GetParametersForImport and GenerateDataKeyPair need not wait the seconds a
/// 4096-bit key takes. Each pooled key is PKCS#8 DER in a <see cref="SecretBytes"/>, held in memory only.
/// <see cref="Take"/> hands a pooled key to exactly one caller (an atomic dequeue), who owns it from then on (disposing
/// it zeroes it); with none pooled it generates one inline, so taking never fails. A filler off the request path calls
/// <see cref="FillOne"/> until every size is at its target, then waits in <see cref="WaitForDemand"/> for the next take.
/// <see cref="Dispose"/> zeroes every key still pooled, and any a filler adds afterwards.
/// </summary>
public sealed class RsaKeyPool : IDisposable
{
    /// <summary>The modulus sizes of AWS's RSA key specs (RSA_2048, RSA_3072, RSA_4096).</summary>
    public static readonly IReadOnlyList<int> Sizes = [2048, 3072, 4096];

    private readonly Dictionary<int, Slot> _slots;
    private readonly Func<int, SecretBytes> _generate;
    private readonly SemaphoreSlim _demand = new(0);
    private readonly Lock _reserve = new();
    private TaskCompletionSource _added = NewSignal();
    private volatile bool _disposed;

    /// <summary>A pool keeping <paramref name="targets"/> keys ready per modulus size (sizes not named: none).</summary>
    public RsaKeyPool(IReadOnlyDictionary<int, int> targets)
        : this(targets, GeneratePkcs8)
    {
    }

    /// <summary>A pool whose keys come from <paramref name="generate"/> (a modulus size to a PKCS#8 private key).</summary>
    public RsaKeyPool(IReadOnlyDictionary<int, int> targets, Func<int, SecretBytes> generate)
    {
        ArgumentNullException.ThrowIfNull(targets);
        foreach (var (bits, count) in targets)
        {
            if (!Sizes.Contains(bits) || count < 0)
                throw new ArgumentException($"RSA key pool target {bits}={count}: sizes are 2048, 3072 and 4096, targets 0 or more.", nameof(targets));
        }

        _slots = Sizes.ToDictionary(s => s, s => new Slot(targets.GetValueOrDefault(s)));
        _generate = generate;
    }

    /// <summary>The modulus size of an RSA key spec (RSA_2048 -> 2048), else null.</summary>
    public static int? BitsOf(string keySpec) => keySpec switch
    {
        "RSA_2048" => 2048,
        "RSA_3072" => 3072,
        "RSA_4096" => 4096,
        _ => null,
    };

    /// <summary>A new RSA private key of <paramref name="bits"/>, PKCS#8 DER encoded.</summary>
    public static SecretBytes GeneratePkcs8(int bits)
    {
        using var rsa = RSA.Create(bits);
        return SecretBytes.TakeOwnership(rsa.ExportPkcs8PrivateKey());
    }

    /// <summary>How many keys of <paramref name="bits"/> the pool keeps ready.</summary>
    public int Target(int bits) => SlotOf(bits).Target;

    /// <summary>How many keys of <paramref name="bits"/> are ready now.</summary>
    public int Available(int bits) => SlotOf(bits).Keys.Count;

    /// <summary>Keys handed out from the pool, and keys generated inline because none was ready.</summary>
    public (long Pooled, long Inline) Taken(int bits) => (Interlocked.Read(ref SlotOf(bits).Pooled), Interlocked.Read(ref SlotOf(bits).Inline));

    /// <summary>
    /// A private key of <paramref name="bits"/> (PKCS#8 DER) that no other caller receives: a pooled one, or one
    /// generated now when none is ready. The caller owns it and disposes it (which zeroes it) when done.
    /// </summary>
    public SecretBytes Take(int bits)
    {
        var slot = SlotOf(bits);
        if (!_disposed && slot.Keys.TryDequeue(out var key))
        {
            Interlocked.Increment(ref slot.Pooled);
            _demand.Release();
            return key;
        }

        Interlocked.Increment(ref slot.Inline);
        if (slot.Target > 0 && !_disposed) _demand.Release();
        return _generate(bits);
    }

    /// <summary>
    /// Generates one key for the size furthest below its target and adds it to the pool; false when every size is at
    /// its target (or the pool is disposed). Fillers call it off the request path; several may run at once.
    /// </summary>
    public bool FillOne()
    {
        if (_disposed || Reserve() is not { } bits) return false;
        var slot = _slots[bits];
        try
        {
            slot.Keys.Enqueue(_generate(bits));
        }
        finally
        {
            Interlocked.Decrement(ref slot.Generating);
        }

        if (_disposed) ZeroAll();
        Interlocked.Exchange(ref _added, NewSignal()).TrySetResult();
        return true;
    }

    /// <summary>Blocks the filler until a key is taken (or <paramref name="cancel"/> fires).</summary>
    public void WaitForDemand(CancellationToken cancel) => _demand.Wait(cancel);

    /// <summary>Completes once at least <paramref name="count"/> keys of <paramref name="bits"/> are ready.</summary>
    public async Task WhenAvailableAsync(int bits, int count, CancellationToken cancel)
    {
        var slot = SlotOf(bits);
        while (true)
        {
            var added = Volatile.Read(ref _added).Task;
            if (slot.Keys.Count >= count) return;
            await added.WaitAsync(cancel);
        }
    }

    /// <summary>Zeroes every pooled key; later fills are zeroed too, and takes generate inline.</summary>
    public void Dispose()
    {
        _disposed = true;
        ZeroAll();
        _demand.Release();
    }

    /// <summary>The size furthest below its target (fewest ready and being generated, relative to the target), reserved for one fill.</summary>
    private int? Reserve()
    {
        lock (_reserve)
        {
            int? best = null;
            var bestFill = 1.0;
            foreach (var (bits, slot) in _slots)
            {
                if (slot.Target == 0) continue;
                var fill = (double)(slot.Keys.Count + slot.Generating) / slot.Target;
                if (fill < bestFill)
                {
                    (best, bestFill) = (bits, fill);
                }
            }

            if (best is { } chosen) Interlocked.Increment(ref _slots[chosen].Generating);
            return best;
        }
    }

    private void ZeroAll()
    {
        foreach (var slot in _slots.Values)
        {
            while (slot.Keys.TryDequeue(out var key)) key.Dispose();
        }
    }

    private Slot SlotOf(int bits) =>
        _slots.TryGetValue(bits, out var slot) ? slot : throw new ArgumentOutOfRangeException(nameof(bits), bits, "RSA key sizes are 2048, 3072 and 4096.");

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Slot(int target)
    {
        public readonly int Target = target;
        public readonly ConcurrentQueue<SecretBytes> Keys = new();
        public int Generating;
        public long Pooled;
        public long Inline;
    }
}
