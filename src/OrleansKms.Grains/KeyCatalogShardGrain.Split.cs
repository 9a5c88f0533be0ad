using Microsoft.Extensions.Logging;

namespace OrleansKms.Grains;

/// <summary>
/// Splitting a shard that has grown, and handing calls on once it is split.
/// <para>
/// The split runs in the loop that writes (so changes that arrive meanwhile wait in the queue): the shard stores its
/// ids (and pending ids) into its 16 children, replacing whatever they held (an earlier split interrupted before the
/// catalog's write); then the catalog's row records the shard as split and lists the filled children instead of it, in
/// one write; then the shard stores itself empty and split. From the catalog's write on, the shard hands every call on
/// to the child of the id's next digit (a split shard's listing is its children's, for a page that read the catalog's
/// row before the split). Interrupted before the catalog's write, nothing has changed but the unused children's rows,
/// and the shard splits again after a later write; after it, the shard learns it is split from the catalog before its
/// next write (every activation asks once), stores itself empty, and hands on.
/// </para>
/// </summary>
public sealed partial class KeyCatalogShardGrain
{
    /// <summary>Whether the catalog has recorded this shard as split; null until asked, or while its answer is in doubt.</summary>
    private bool? _split;

    private bool IsSplit => _split == true || Committed.Split;

    /// <summary>Asks the catalog (once an activation) whether this shard is split; lists it first if it is not and about to store ids.</summary>
    private async Task LearnWhetherSplitAsync(bool adds)
    {
        if (IsSplit) return;
        if (adds && !_listed)
        {
            var listed = await Catalog.ListShardAsync(ShardName);
            _split = !listed;
            _listed = listed;
        }
        else if (_split is null)
        {
            _split = await Catalog.IsSplitAsync(ShardName);
        }
    }

    private async Task SplitAsync()
    {
        await _write.WaitAsync();
        try
        {
            var s = Committed;
            var children = KeyCatalog.ChildrenOf(ShardName).ToList();
            await Task.WhenAll(children.Select(child => Shard(child).ReplaceAsync(
                [.. s.KeyIds.Where(id => id.StartsWith(child, StringComparison.Ordinal))],
                [.. s.Pending.Where(p => p.KeyId.StartsWith(child, StringComparison.Ordinal)).Select(p => KeyValuePair.Create(p.KeyId, p.Since))])));
            var filled = children.Where(child => s.KeyIds.Concat(s.Pending.Select(p => p.KeyId)).Any(id => id.StartsWith(child, StringComparison.Ordinal))).ToList();
            _split = null;
            await Catalog.SplitShardAsync(ShardName, filled);
            _split = true;
            await StoreAsync(new KeyCatalogShardState { Split = true });
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Splitting the key catalog shard {Shard} failed; it is tried again after a later write", this.GetPrimaryKeyString());
        }
        finally
        {
            _write.Release();
        }
    }

    /// <summary>Hands the queued changes on to the children, storing this shard empty first if its row still holds ids from before the split.</summary>
    private async Task HandOnQueueAsync()
    {
        var batch = _queue.ToList();
        _queue.Clear();
        if (!Committed.Split)
        {
            await _write.WaitAsync();
            try
            {
                await StoreAsync(new KeyCatalogShardState { Split = true });
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Emptying the split key catalog shard {Shard} failed", this.GetPrimaryKeyString());
            }
            finally
            {
                _write.Release();
            }
        }

        // The sweep's confirmations and drops were of this shard's old copy: the children settle their own.
        foreach (var change in batch) _ = AnswerAsync(change, change.Kind is ChangeKind.Confirm or ChangeKind.Drop ? Task.FromResult(0) : HandOnAsync(change));
    }

    private static async Task AnswerAsync(Change change, Task<int> handedOn)
    {
        try
        {
            change.Done.TrySetResult(await handedOn);
        }
        catch (Exception e)
        {
            change.Done.TrySetException(e);
        }
    }

    /// <summary>Makes the change in the children; answers what the child answered (for a removal, how many ids it still holds).</summary>
    private async Task<int> HandOnAsync(Change change)
    {
        switch (change.Kind)
        {
            case ChangeKind.Add:
                await Task.WhenAll(change.KeyIds.GroupBy(id => KeyCatalog.ChildOf(ShardName, id)).Select(g => Shard(g.Key).AddAsync([.. g])));
                return 0;
            case ChangeKind.AddPending:
                await Shard(KeyCatalog.ChildOf(ShardName, change.KeyIds[0])).AddPendingAsync(change.KeyIds[0]);
                return 0;
            case ChangeKind.Remove:
                return await Shard(KeyCatalog.ChildOf(ShardName, change.KeyIds[0])).RemoveAsync(change.KeyIds[0]);
            default:
                return 0;
        }
    }

    /// <summary>The children's ids after <paramref name="after"/>, in order, at most <paramref name="limit"/>.</summary>
    private async Task<IReadOnlyList<string>> ListChildrenAsync(int limit, string? after)
    {
        var page = new List<string>();
        foreach (var child in KeyCatalog.ChildrenOf(ShardName))
        {
            if (page.Count >= limit) break;
            if (after is not null && KeyCatalogGrain.IsBefore(child, after)) continue;
            page.AddRange(await Shard(child).ListAsync(limit - page.Count, after));
        }

        return page;
    }

    private IKeyCatalogShardGrain Shard(string shard) => GrainFactory.GetGrain<IKeyCatalogShardGrain>(KeyCatalog.ShardGrainKey(CatalogKey, shard));
}
