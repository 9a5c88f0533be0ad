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
}

public static class KmsGrainOptionsDefaults
{
    /// <summary>The grain storage provider that holds key state and catalogs.</summary>
    public const string StorageName = "kms";
    public static readonly TimeSpan SnapshotMaxAge = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan PushTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan LifecycleCheckPeriod = TimeSpan.FromHours(1);
}
