namespace OrleansKms;

/// <summary>
/// The clock of OrleansKms' key lifecycle: a keyed <see cref="TimeProvider"/> service, so tests can move the KMS
/// clock (rotation dates, deletion windows, snapshot age) across a year without moving Orleans' own clock or the
/// wall clock that SigV4 request dates are checked against.
/// </summary>
public static class KmsTime
{
    /// <summary>The service key of the KMS <see cref="TimeProvider"/>; unregistered, it falls back to the system clock.</summary>
    public const string ServiceKey = "OrleansKms";
}

/// <summary>Keys of the services a silo registers for its own gateway.</summary>
public static class KmsServiceKeys
{
    /// <summary>
    /// The keyed <see cref="ICryptoWorker"/> a silo registers for callers in its own process (its gateway): the crypto
    /// path without a grain call. Callers elsewhere use the <see cref="ICryptoWorker"/> grain.
    /// </summary>
    public const string InProcessCrypto = "OrleansKms.InProcessCrypto";
}
