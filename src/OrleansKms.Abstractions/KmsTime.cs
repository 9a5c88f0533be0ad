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
