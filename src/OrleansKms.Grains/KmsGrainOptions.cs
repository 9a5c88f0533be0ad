namespace OrleansKms.Grains;

/// <summary>Settings of the key grains and crypto workers.</summary>
public sealed class KmsGrainOptions
{
    /// <summary>
    /// The staleness bound of a silo's cached key snapshot when a change could not be pushed to it (a silo that
    /// was unreachable during the push): after this long a cached snapshot is fetched again. Default 5 seconds.
    /// </summary>
    public TimeSpan SnapshotMaxAge { get; set; } = KmsGrainOptionsDefaults.SnapshotMaxAge;

    /// <summary>
    /// The period of a key's lifecycle reminder. The reminder is due when the key's next scheduled work is (its next
    /// automatic rotation, the end of its deletion window, the expiry of imported material), not every period; the
    /// period only says how soon work that was due but failed (a storage write) is tried again. Default 1 hour; Orleans
    /// reminders allow at least 1 minute unless <c>ReminderOptions.MinimumReminderPeriod</c> is lowered.
    /// </summary>
    public TimeSpan LifecycleCheckPeriod { get; set; } = KmsGrainOptionsDefaults.LifecycleCheckPeriod;

    /// <summary>
    /// The PKCS#11 module behind custom key stores of type AWS_CLOUDHSM (each store's CloudHsmClusterId is the label of
    /// a token in it, its KeyStorePassword the token's user PIN). Default: SoftHSM2's module when it is installed.
    /// </summary>
    public string? Pkcs11ModulePath { get; set; }

    /// <summary>How long a key change waits for every silo to take the new snapshot. Default 5 seconds.</summary>
    public TimeSpan PushTimeout { get; set; } = KmsGrainOptionsDefaults.PushTimeout;

    /// <summary>
    /// How long a silo keeps a key (its snapshot and unwrapped material) or an alias that no request has used: then it
    /// leaves the silo's cache, its material zeroed, and the next request fetches it again from its grain.
    /// Default 2 minutes.
    /// </summary>
    public TimeSpan CacheIdleTime { get; set; } = KmsGrainOptionsDefaults.CacheIdleTime;

    /// <summary>
    /// The most keys one silo's snapshot cache holds (and, separately, the most aliases its alias cache holds); past
    /// it the least recently used leave. Default 20,000.
    /// </summary>
    public int KeyCacheCapacity { get; set; } = KmsGrainOptionsDefaults.KeyCacheCapacity;

    /// <summary>
    /// The most compiled policy documents (key, identity, trust policies; distinct texts) and caller principals a
    /// silo keeps; past it they are compiled again. Default 10,000.
    /// </summary>
    public int PolicyCacheCapacity { get; set; } = KmsGrainOptionsDefaults.PolicyCacheCapacity;

    /// <summary>
    /// How long an idle activation of a key grain, an alias grain or a key catalog shard stays in a silo's memory before Orleans
    /// collects it (its state stays in storage; the next call activates it again). Orleans' own default for other
    /// grains is 15 minutes. Must be more than 1 minute (Orleans' <c>GrainCollectionOptions.CollectionQuantum</c>,
    /// how often it looks for idle activations; the silo executable looks every 30 s). Default 2 minutes.
    /// </summary>
    public TimeSpan KeyGrainCollectionAge { get; set; } = KmsGrainOptionsDefaults.KeyGrainCollectionAge;
}

public static class KmsGrainOptionsDefaults
{
    /// <summary>The grain storage provider that holds key state and catalogs.</summary>
    public const string StorageName = "kms";
    public static readonly TimeSpan SnapshotMaxAge = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan LifecycleCheckPeriod = TimeSpan.FromHours(1);
    public static readonly TimeSpan CacheIdleTime = TimeSpan.FromMinutes(2);
    public const int KeyCacheCapacity = 20_000;
    public const int PolicyCacheCapacity = 10_000;
    public static readonly TimeSpan KeyGrainCollectionAge = TimeSpan.FromMinutes(2);
}
