namespace OrleansKms;

/// <summary>
/// Keys the service derives from its region's root key for its own tokens (grant tokens, STS session tokens):
/// the same on every silo and gateway of a region and across restarts, never stored, different per purpose.
/// </summary>
public interface IServiceSecrets
{
    /// <summary>A 32-byte key for <paramref name="purpose"/> (e.g. "grant-tokens"). Callers must not modify it.</summary>
    byte[] KeyFor(string purpose);
}
