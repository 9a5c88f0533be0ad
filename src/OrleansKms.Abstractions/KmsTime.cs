namespace OrleansKms;

/// <summary>
/// The clock of OrleansKms: a keyed <see cref="TimeProvider"/> service, so tests can move the KMS clock (rotation,
/// deletion windows, snapshot age, SigV4 dates) without moving Orleans' own.
/// </summary>
public static class KmsTime
{
    /// <summary>The service key of the KMS <see cref="TimeProvider"/>; unregistered, it falls back to the system clock.</summary>
    public const string ServiceKey = "OrleansKms";
}
