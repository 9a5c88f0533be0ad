using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using OrleansKms.Gateway;
using OrleansKms.Gateway.Auth;

namespace OrleansKms.Hosting.Durability;

/// <summary>
/// Keeps the default store within what Azurite can hold. Azurite keeps every table row in memory (LokiJS), in a V8
/// heap of <see cref="Azurite.AzuriteProcess.HeapLimitBytes"/>; a process that runs out of it aborts (a V8 fatal error,
/// not an exception anyone can catch), and, restarted, would load its last save, replay the journal and run out
/// again. The saved table database is about as large as the rows' share of that heap, so once it has reached
/// <c>fullAt</c> bytes the requests that add resources (<see cref="Growing"/>) are refused with LimitExceededException,
/// before they are run; everything else goes on, deleting included.
/// </summary>
public sealed class AzuriteCapacityGate : IKmsRequestGate
{
    /// <summary>
    /// Where creating stops by default: two fifths of Azurite's heap (the rest is for the index, a save's slices and
    /// the garbage collector's room), about 1.9 million keys at ~2.1 KB each with a 9.4 GiB heap (a 24 GiB machine).
    /// </summary>
    public static long DefaultFullAt { get; } = Azurite.AzuriteProcess.HeapLimitBytes * 2 / 5;

    /// <summary>How long a measured size is used before the file is looked at again.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    /// <summary>The operations refused once the store is full: each adds rows to the table.</summary>
    public static readonly FrozenSet<string> Growing =
        new[] { "CreateKey", "ReplicateKey", "CreateAlias", "CreateGrant", "CreateCustomKeyStore" }.ToFrozenSet(StringComparer.Ordinal);

    private readonly string _databasePath;
    private readonly long _fullAt;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private long _size;
    private DateTimeOffset _measured = DateTimeOffset.MinValue;
    private int _warnedTenths;

    public AzuriteCapacityGate(string databasePath, long fullAt, TimeProvider clock, ILogger logger)
    {
        if (fullAt <= 0) throw new ArgumentOutOfRangeException(nameof(fullAt), fullAt, "Must be at least 1 byte.");
        _databasePath = databasePath;
        _fullAt = fullAt;
        _clock = clock;
        _logger = logger;
        Size();
    }

    /// <summary>The size of the saved table database as last measured (refreshed at most every <see cref="Refresh"/>).</summary>
    public long Size()
    {
        var now = _clock.GetUtcNow();
        lock (_gate)
        {
            if (now - _measured < Refresh) return _size;
            _measured = now;
            try
            {
                var database = new FileInfo(_databasePath);
                _size = database.Exists ? database.Length : 0;
            }
            catch (IOException)
            {
                // Azurite renames its new save into place; a look at that moment keeps the last size.
            }

            WarnIfGrown();
            return _size;
        }
    }

    public void Admit(string region, KmsIdentity identity, string operation)
    {
        if (!Growing.Contains(operation)) return;
        var size = Size();
        if (size < _fullAt) return;
        throw new KmsException(KmsErrorCode.LimitExceededException,
            $"The request was rejected because the service's Azurite store is full: its table database is {Mb(size)} MB, " +
            $"and creating stops at {Mb(_fullAt)} MB (Azurite keeps its tables in memory). Delete aliases and " +
            "grants you no longer need and schedule the deletion of unused keys, or run the service on an Azure Storage " +
            "account (--storage-connection-string).");
    }

    /// <summary>A warning each time the database passes another tenth of the limit, from half of it.</summary>
    private void WarnIfGrown()
    {
        var tenths = (int)(_size * 10 / _fullAt);
        if (tenths < 5 || tenths <= _warnedTenths) return;
        _warnedTenths = tenths;
        _logger.LogWarning(
            "Azurite's table database is {SizeMb} MB, {Percent}% of the {FullAtMb} MB at which the service stops creating keys, aliases and grants " +
            "(Azurite keeps its tables in memory). For more keys, run the service on an Azure Storage account.",
            Mb(_size), _size * 100 / _fullAt, Mb(_fullAt));
    }

    private static long Mb(long bytes) => bytes / 1_000_000;
}
