namespace OrleansKms.Grains;

/// <summary>
/// How many pending key ids this silo's catalog shards have stored (one per CreateKey): a shard's sweep compares it
/// with its last tick's to tell whether CreateKeys are still coming (<see cref="KeyCatalogShardGrain.ConfirmUnderLoadAfter"/>).
/// </summary>
public sealed class CatalogActivity
{
    private long _pendingIdsStored;

    public long PendingIdsStored => Interlocked.Read(ref _pendingIdsStored);

    public void PendingStored() => Interlocked.Increment(ref _pendingIdsStored);
}
