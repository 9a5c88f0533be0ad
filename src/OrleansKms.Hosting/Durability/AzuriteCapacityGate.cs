using System.Collections.Frozen;
using Microsoft.Extensions.Logging;
using OrleansKms.Gateway;
using OrleansKms.Gateway.Auth;

namespace OrleansKms.Hosting.Durability;

/// <summary>
/// Keeps the default store below what Azurite can save. Azurite keeps its tables in LokiJS, which saves the whole table
/// database as one JSON string (every 5 seconds and at a stop). Node.js cannot make a string longer than
/// <see cref="SaveLimit"/> characters, and a save past that aborts the Azurite process: a V8 fatal error, not an
/// exception anyone can catch. Restarted, Azurite would load its last save, the journal would replay the writes made
/// since, and the next save would abort it again. So once the saved database has reached <c>fullAt</c> bytes, the
/// requests that add resources (<see cref="Growing"/>) are refused with LimitExceededException, before they are run;
/// everything else goes on, deleting included.
/// </summary>
public sealed class AzuriteCapacityGate : IKmsRequestGate
{
    /// <summary>The longest string Node.js 20 and later can make (V8's <c>String::kMaxLength</c> on 64-bit): 2^29 - 24.</summary>
    public const long SaveLimit = 536_870_888;

    /// <summary>Where creating stops by default: three quarters of <see cref="SaveLimit"/>, about 190,000 keys at ~2.1 KB each.</summary>
    public const long DefaultFullAt = 400_000_000;

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
        if (fullAt <= 0 || fullAt > SaveLimit)
            throw new ArgumentOutOfRangeException(nameof(fullAt), fullAt, $"Must be between 1 and {SaveLimit} bytes.");
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
            $"and creating stops at {Mb(_fullAt)} MB (Azurite cannot save one over {Mb(SaveLimit)} MB). Delete aliases and " +
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
            "(Azurite cannot save more than {LimitMb} MB). For more keys, run the service on an Azure Storage account.",
            Mb(_size), _size * 100 / _fullAt, Mb(_fullAt), Mb(SaveLimit));
    }

    private static long Mb(long bytes) => bytes / 1_000_000;
}
