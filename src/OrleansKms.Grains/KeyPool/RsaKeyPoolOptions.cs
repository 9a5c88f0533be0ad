using Microsoft.Extensions.Options;

namespace OrleansKms.Grains.KeyPool;

/// <summary>
/// The silo's pool of pre-generated RSA keys (<see cref="OrleansKms.Crypto.Keys.RsaKeyPool"/>): how many keys of each
/// size it keeps ready for CreateKey, GetParametersForImport and GenerateDataKeyPair. A target of 0 turns that size off (its keys are then
/// generated inline, as when the pool runs dry).
/// </summary>
public sealed class RsaKeyPoolOptions
{
    /// <summary>RSA_2048 keys kept ready. Default 8.</summary>
    public int Rsa2048 { get; set; } = RsaKeyPoolOptionsDefaults.Rsa2048;

    /// <summary>RSA_3072 keys kept ready. Default 4.</summary>
    public int Rsa3072 { get; set; } = RsaKeyPoolOptionsDefaults.Rsa3072;

    /// <summary>RSA_4096 keys kept ready. Default 4.</summary>
    public int Rsa4096 { get; set; } = RsaKeyPoolOptionsDefaults.Rsa4096;

    /// <summary>
    /// Whether the silo fills the pool itself, on a background thread 10 nice steps below the process's priority.
    /// Default true. With false the pool is filled only by <see cref="OrleansKms.Crypto.Keys.RsaKeyPool.FillOne"/> calls
    /// of the host's own choosing.
    /// </summary>
    public bool FillInBackground { get; set; } = true;

    /// <summary>The targets by modulus size.</summary>
    public IReadOnlyDictionary<int, int> Targets => new Dictionary<int, int> { [2048] = Rsa2048, [3072] = Rsa3072, [4096] = Rsa4096 };

    /// <summary>Copies every setting from <paramref name="other"/>.</summary>
    public void CopyFrom(RsaKeyPoolOptions other)
    {
        ArgumentNullException.ThrowIfNull(other);
        (Rsa2048, Rsa3072, Rsa4096, FillInBackground) = (other.Rsa2048, other.Rsa3072, other.Rsa4096, other.FillInBackground);
    }

    /// <summary>
    /// Reads <c>off</c>, or comma-separated SIZE=COUNT pairs such as <c>2048=8,3072=4,4096=4</c> (sizes not named keep
    /// their default); null and an error message when the text is neither.
    /// </summary>
    public static RsaKeyPoolOptions? Parse(string text, out string? error)
    {
        error = null;
        var options = new RsaKeyPoolOptions();
        if (text == "off") return new RsaKeyPoolOptions { Rsa2048 = 0, Rsa3072 = 0, Rsa4096 = 0 };
        foreach (var pair in text.Split(',', StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split('=', 2);
            if (parts.Length != 2 || !int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var count) || count < 0 || count > RsaKeyPoolOptionsDefaults.MaxTarget
                || !options.TrySet(parts[0], count))
            {
                error = $"the RSA key pool takes off or SIZE=COUNT pairs such as 2048=8,3072=4,4096=4 (sizes 2048, 3072, 4096; counts 0-{RsaKeyPoolOptionsDefaults.MaxTarget}), not '{pair}'.";
                return null;
            }
        }

        return options;
    }

    private bool TrySet(string size, int count)
    {
        switch (size)
        {
            case "2048": Rsa2048 = count; return true;
            case "3072": Rsa3072 = count; return true;
            case "4096": Rsa4096 = count; return true;
            default: return false;
        }
    }
}

/// <summary>The defaults of <see cref="RsaKeyPoolOptions"/>: about 10 s of one core to fill on a small machine, under 30 KB of memory.</summary>
public static class RsaKeyPoolOptionsDefaults
{
    public const int Rsa2048 = 8;
    public const int Rsa3072 = 4;
    public const int Rsa4096 = 4;

    /// <summary>The largest target of one size.</summary>
    public const int MaxTarget = 1000;
}

/// <summary>Fails start-up on a target outside 0-<see cref="RsaKeyPoolOptionsDefaults.MaxTarget"/>.</summary>
public sealed class RsaKeyPoolOptionsValidator : IValidateOptions<RsaKeyPoolOptions>
{
    public ValidateOptionsResult Validate(string? name, RsaKeyPoolOptions options)
    {
        var bad = new (string Name, int Value)[]
            {
                (nameof(RsaKeyPoolOptions.Rsa2048), options.Rsa2048),
                (nameof(RsaKeyPoolOptions.Rsa3072), options.Rsa3072),
                (nameof(RsaKeyPoolOptions.Rsa4096), options.Rsa4096),
            }
            .Where(t => t.Value is < 0 or > RsaKeyPoolOptionsDefaults.MaxTarget)
            .Select(t => $"{nameof(RsaKeyPoolOptions)}.{t.Name} must be from 0 to {RsaKeyPoolOptionsDefaults.MaxTarget} (0 turns that size off), not {t.Value}.")
            .ToList();
        return bad.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(bad);
    }
}
