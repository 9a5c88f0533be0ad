namespace OrleansKms.Grains;

/// <summary>Grain keys of the catalogs, and the shards a key id can belong to.</summary>
public static class KeyCatalog
{
    /// <summary>A shard holding more ids than this after a write splits into the shards of one more hex digit.</summary>
    public const int SplitAbove = 512;

    /// <summary>Shards are split down to this many hex digits at most (a key id's first six characters are hex digits).</summary>
    public const int MaxDigits = 6;

    public static string GrainKey(string accountId, string region) => $"{accountId}/{region}";

    public static string ShardGrainKey(string catalogKey, string shard) => $"{catalogKey}/{shard}";

    /// <summary>The shard grain of <paramref name="keyId"/>'s first digit: key grains call it, and it hands the call on if it has been split.</summary>
    public static IKeyCatalogShardGrain ShardOf(IGrainFactory grains, string accountId, string region, string keyId) =>
        grains.GetGrain<IKeyCatalogShardGrain>(ShardGrainKey(GrainKey(accountId, region), RootOf(keyId)));

    /// <summary>
    /// A key id's first hex digit (<c>3</c>), after <c>mrk-</c> for a multi-Region key (<c>mrk-3</c>): the 16 + 16 shards
    /// every catalog starts with. Every id of a shard starts with the shard's name, and the listed shards never
    /// overlap, so shards in ordinal order list ids in ordinal order.
    /// </summary>
    public static string RootOf(string keyId) =>
        keyId.StartsWith(KeyIds.MultiRegionPrefix, StringComparison.Ordinal) ? keyId[..(KeyIds.MultiRegionPrefix.Length + 1)] : keyId[..1];

    /// <summary>The child of <paramref name="shard"/> (one more hex digit) that holds <paramref name="keyId"/>.</summary>
    public static string ChildOf(string shard, string keyId) => keyId[..(shard.Length + 1)];

    /// <summary>The 16 children of a shard, in ordinal order.</summary>
    public static IEnumerable<string> ChildrenOf(string shard) => "0123456789abcdef".Select(digit => shard + digit);

    /// <summary>The shard one hex digit shorter, or null for a first-digit shard.</summary>
    public static string? ParentOf(string shard) => DigitsOf(shard) <= 1 ? null : shard[..^1];

    /// <summary>How many hex digits the shard's name has (<c>mrk-</c> not counted).</summary>
    public static int DigitsOf(string shard) =>
        shard.StartsWith(KeyIds.MultiRegionPrefix, StringComparison.Ordinal) ? shard.Length - KeyIds.MultiRegionPrefix.Length : shard.Length;

    /// <summary>The shard that holds <paramref name="keyId"/> when <paramref name="split"/> (sorted) are the split shards.</summary>
    public static string LeafOf(string keyId, List<string> split)
    {
        var shard = RootOf(keyId);
        while (SortedList.Contains(split, shard)) shard = ChildOf(shard, keyId);
        return shard;
    }
}

/// <summary>The catalog's stored state: which shards hold key ids, and which have been split.</summary>
[GenerateSerializer]
public sealed class KeyCatalogState : IShardedCatalogState
{
    /// <summary>
    /// Every key id, as catalogs stored them before they were sharded. Moved into the shards when such a catalog
    /// is next activated; always empty afterwards.
    /// </summary>
    [Id(0)] public List<string> KeyIds { get; set; } = [];

    /// <summary>The unsplit shards that hold at least one key id, in ordinal order.</summary>
    [Id(1)] public List<string> Shards { get; set; } = [];

    /// <summary>
    /// The shards split into the shards of one more digit, in ordinal order; never unsplit. Rows stored by the fixed
    /// two- and three-digit splits of earlier versions have none: every prefix of a listed shard counts as split.
    /// </summary>
    [Id(2)] public List<string> Split { get; set; } = [];
}

/// <summary>
/// The list behind ListKeys for one account and region. Pages are in key-id order; the marker is the last key id
/// of the previous page, so a page is stable while keys are added or removed around it. The ids are spread over
/// shard grains so that no stored row grows large: a catalog starts with one shard per first hex digit, and a shard
/// that holds more than <see cref="KeyCatalog.SplitAbove"/> ids splits into the 16 shards of one more digit
/// (<see cref="KeyCatalogShardGrain"/>). A small account keeps a few rows, a million-key one about 4 000 of 250 ids.
/// <para>
/// Key grains add their ids to the shards, so CreateKeys of one account do not queue here: this grain only hears
/// from a shard when it becomes non-empty (<see cref="ListShardAsync"/>, before the shard stores its first id),
/// empty (<see cref="UnlistShardAsync"/>, after) or split (<see cref="SplitShardAsync"/>, after its children hold its
/// ids), and only writes then, grouping the changes that arrive during a write into the next one. Every call interleaves.
/// </para>
/// </summary>
public sealed class KeyCatalogGrain(
    [PersistentState("catalog", KmsGrainOptionsDefaults.StorageName)] IPersistentState<KeyCatalogState> state)
    : ShardedCatalogGrain<KeyCatalogState, IKeyCatalogShardGrain>(state), IKeyCatalogGrain
{
    private readonly List<(ShardChange Change, TaskCompletionSource Done)> _queue = [];

    private bool _draining;

    /// <summary>
    /// Moves ids stored before sharding into the shards, and records as split every prefix of a listed shard (the rows
    /// of the fixed two- and three-digit splits): those shards stay as they are, and split further when they grow.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await MoveIntoShardsAsync(Stored.KeyIds, id => KeyCatalog.LeafOf(id, Stored.Split), (shard, ids) => shard.MoveInAsync(ids));
        var split = Stored.Split;
        foreach (var shard in Shards)
        {
            for (var parent = KeyCatalog.ParentOf(shard); parent is not null; parent = KeyCatalog.ParentOf(parent))
                split = SortedList.With(split, parent, s => s) ?? split;
        }

        if (split != Stored.Split) await CommitAsync(new KeyCatalogState { Shards = Stored.Shards, Split = split });
    }

    protected override KeyCatalogState WithShards(KeyCatalogState current, List<string> shards) => new() { Shards = shards, Split = current.Split };

    public Task AddAsync(string keyId) => Shard(KeyCatalog.RootOf(keyId)).AddAsync([keyId]);

    public Task RemoveAsync(string keyId) => Shard(KeyCatalog.RootOf(keyId)).RemoveAsync(keyId);

    public async Task<bool> ListShardAsync(string shard)
    {
        if (SortedList.Contains(Stored.Split, shard)) return false;
        if (!SortedList.Contains(Stored.Shards, shard) || _draining) await Enqueue(new ShardChange(shard, ShardChangeKind.List, []));
        return true;
    }

    public Task<bool> IsSplitAsync(string shard) => Task.FromResult(SortedList.Contains(Stored.Split, shard));

    public Task SplitShardAsync(string shard, IReadOnlyList<string> filled) => Enqueue(new ShardChange(shard, ShardChangeKind.Split, filled));

    /// <summary>
    /// Unlists the shard if it still stores nothing: a shard that emptied and was filled again by the catalog's own
    /// move of unsharded ids (which does not go through <see cref="ListShardAsync"/>) stays listed.
    /// </summary>
    public async Task UnlistShardAsync(string shard)
    {
        if ((await Shard(shard).ListAsync(1, null)).Count == 0) await Enqueue(new ShardChange(shard, ShardChangeKind.Unlist, []));
    }

    /// <summary>
    /// Group commit of the catalog's row: the shard changes that arrive while it is being written are written together
    /// next (a new account's first keys list shards at once), each answered once its write has landed.
    /// </summary>
    private Task Enqueue(ShardChange change)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((change, done));
        if (!_draining) _ = DrainAsync();
        return done.Task;
    }

    private async Task DrainAsync()
    {
        _draining = true;
        try
        {
            while (_queue.Count > 0)
            {
                var batch = _queue.ToList();
                _queue.Clear();
                try
                {
                    var next = Apply(Stored, batch.Select(c => c.Change));
                    if (next != Stored) await CommitAsync(next);
                    foreach (var c in batch) c.Done.TrySetResult();
                }
                catch (Exception e)
                {
                    foreach (var c in batch) c.Done.TrySetException(e);
                }
            }
        }
        finally
        {
            _draining = false;
        }
    }

    /// <summary>The row after the changes, in order; the same object when they change nothing.</summary>
    private static KeyCatalogState Apply(KeyCatalogState row, IEnumerable<ShardChange> changes)
    {
        List<string> shards = row.Shards, split = row.Split;
        foreach (var change in changes)
        {
            switch (change.Kind)
            {
                case ShardChangeKind.List:
                    shards = SortedList.With(shards, change.Shard, s => s) ?? shards;
                    break;
                case ShardChangeKind.Unlist:
                    shards = SortedList.Without(shards, change.Shard, s => s) ?? shards;
                    break;
                case ShardChangeKind.Split:
                    split = SortedList.With(split, change.Shard, s => s) ?? split;
                    shards = SortedList.Without(shards, change.Shard, s => s) ?? shards;
                    foreach (var child in change.Filled) shards = SortedList.With(shards, child, s => s) ?? shards;
                    break;
            }
        }

        return shards == row.Shards && split == row.Split ? row : new KeyCatalogState { Shards = shards, Split = split };
    }

    /// <summary>Shards in ordinal order list ids in ordinal order: a page reads shards from the marker's on.</summary>
    public async Task<KeyListPage> ListAsync(int limit, string? marker)
    {
        var page = new List<string>(Math.Min(limit + 1, 1001));
        foreach (var shard in Shards)
        {
            if (marker is not null && IsBefore(shard, marker)) continue;
            page.AddRange(await Shard(shard).ListAsync(limit + 1 - page.Count, marker));
            if (page.Count > limit) break;
        }

        if (page.Count <= limit) return new KeyListPage(page, null);
        page.RemoveAt(limit);
        return new KeyListPage(page, page[^1]);
    }

    /// <summary>True when every id of the shard sorts before the marker: the shard is below the marker's same-length prefix.</summary>
    internal static bool IsBefore(string shard, string marker) =>
        string.CompareOrdinal(shard, 0, marker, 0, shard.Length) < 0;

    private enum ShardChangeKind
    {
        List,
        Unlist,
        Split,
    }

    private sealed record ShardChange(string Shard, ShardChangeKind Kind, IReadOnlyList<string> Filled);
}
