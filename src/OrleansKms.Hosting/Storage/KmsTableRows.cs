using Azure.Data.Tables;

namespace OrleansKms.Hosting.Storage;

/// <summary>
/// The row layout of KMS grain state in an Azure table (<see cref="KmsTableGrainStorage"/>).
/// <list type="bullet">
/// <item>PartitionKey: <c>{ServiceId}_{GrainId}</c>, the grain id escaped one to one (<see cref="Escape"/>): <c>/</c>
/// becomes <c>_</c> as Orleans' table storage writes it, so the key of an id without <c>_ ~ \ # ?</c> is the key Orleans
/// (and this store before layout 3) wrote, and a row moves without knowing its grain. Orleans writes <c>_</c> for
/// <c>_</c> too, so <c>alias/a/b</c> and <c>alias/a_b</c> had one row; here <c>_</c> is <c>~u</c>
/// (<see cref="TableKeyMigration"/> moved the rows written before).</item>
/// <item>RowKey: <c>{state name}${PartitionKey}</c>: one of its own per row. Orleans' layout uses the state's name
/// alone (<c>key</c> for every key), which Azurite, indexing the RowKey only, must scan.</item>
/// <item><c>State</c>, <c>State1</c> ... <c>State14</c>: Orleans' binary form of the state, in pieces of at most
/// 64 KB (a binary property's limit; 15 pieces keep the row under the 1 MB of an entity).</item>
/// </list>
/// A row moved from Orleans' layout keeps its <c>Data</c>/<c>StringData</c> pieces (Orleans' grain storage
/// serializer, Newtonsoft JSON by default) until its grain next writes it.
/// </summary>
internal static class KmsTableRows
{
    public const string StateProperty = "State";
    public const string LegacyBinaryProperty = "Data";
    public const string LegacyStringProperty = "StringData";
    public const int MaxPieces = 15;
    public const int PieceSize = 64 * 1024;
    private const int MaxKeyLength = 1024;

    /// <summary>The separator between the state's name and the partition in a RowKey; never in a state's name.</summary>
    public const char Separator = '$';

    public static string PartitionKey(string serviceId, GrainId grainId) => PartitionKey(serviceId, grainId.ToString());

    /// <summary>The PartitionKey of a grain id given as text (<c>{type}/{key}</c>).</summary>
    public static string PartitionKey(string serviceId, string grainId) => Checked(PartitionPrefix(serviceId) + Escape(grainId));

    /// <summary>The PartitionKey written before layout 3 (and by Orleans): every <c>/ \ # ?</c> replaced by <c>_</c>, so not one to one.</summary>
    public static string LegacyPartitionKey(string serviceId, string grainId) => Sanitize($"{serviceId}_{grainId}");

    /// <summary>What every PartitionKey of a service's rows starts with (services may share a table).</summary>
    public static string PartitionPrefix(string serviceId) => Sanitize(serviceId + "_");

    /// <summary>The first PartitionKey after every one of the service's: its prefix with the last character ('_') counted up by one.</summary>
    public static string PartitionPrefixEnd(string serviceId)
    {
        var prefix = PartitionPrefix(serviceId);
        return prefix[..^1] + (char)(prefix[^1] + 1);
    }

    /// <summary>A row's data under new keys: every property but the keys and what the table sets itself.</summary>
    public static TableEntity CopyTo(TableEntity row, string partitionKey, string rowKey)
    {
        var copy = new TableEntity(partitionKey, rowKey);
        foreach (var (property, value) in row)
        {
            if (property is "PartitionKey" or "RowKey" or "Timestamp" or "odata.etag") continue;
            copy[property] = value;
        }

        return copy;
    }

    public static string RowKey(string partitionKey, string stateName)
    {
        var rowKey = Sanitize(stateName) + Separator + partitionKey;
        return rowKey.Length < MaxKeyLength ? rowKey : throw new ArgumentException($"Row key of {rowKey.Length} characters is too long for an Azure table.", nameof(partitionKey));
    }

    /// <summary>A row of Orleans' layout: its RowKey is the state's name alone.</summary>
    public static bool IsOrleansLayout(TableEntity row) => !row.RowKey.Contains(Separator, StringComparison.Ordinal);

    /// <summary>The names of a value's pieces: <c>State</c>, <c>State1</c>, ... (Orleans names its pieces the same way).</summary>
    public static string PieceName(string baseName, int index) => index == 0 ? baseName : baseName + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static void SetPieces(TableEntity row, byte[] data)
    {
        var count = (data.Length + PieceSize - 1) / PieceSize;
        if (count > MaxPieces)
            throw new ArgumentOutOfRangeException(nameof(data), $"Grain state of {data.Length} bytes is too large for an Azure table row (at most {MaxPieces * PieceSize}).");
        if (count == 1)
        {
            row[StateProperty] = data;
            return;
        }

        for (var i = 0; i < count; i++)
        {
            var length = Math.Min(PieceSize, data.Length - i * PieceSize);
            row[PieceName(StateProperty, i)] = data.AsSpan(i * PieceSize, length).ToArray();
        }
    }

    /// <summary>The joined binary pieces under <paramref name="baseName"/>; empty if there are none.</summary>
    public static byte[] GetPieces(TableEntity row, string baseName)
    {
        var pieces = new List<byte[]>();
        for (var i = 0; i < MaxPieces; i++)
        {
            if (!row.TryGetValue(PieceName(baseName, i), out var value)) continue;
            var piece = value switch
            {
                byte[] bytes => bytes,
                BinaryData binary => binary.ToArray(),
                string text when text.Length > 0 => Convert.FromBase64String(text),
                _ => [],
            };
            if (piece.Length > 0) pieces.Add(piece);
        }

        return pieces.Count == 1 ? pieces[0] : [.. pieces.SelectMany(p => p)];
    }

    /// <summary>The joined string pieces under <paramref name="baseName"/> (Orleans' <c>UseStringFormat</c>).</summary>
    public static string GetStringPieces(TableEntity row, string baseName)
    {
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < MaxPieces; i++)
        {
            if (row.TryGetValue(PieceName(baseName, i), out var value) && value is string piece) text.Append(piece);
        }

        return text.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> Escaped = System.Buffers.SearchValues.Create(
        "_~\\#?" + new string([.. Enumerable.Range(0, 0xA0).Select(c => (char)c).Where(char.IsControl)]));

    /// <summary>
    /// A grain id as table-key text, one to one: <c>/</c> becomes <c>_</c> (what Orleans writes); <c>_</c>, <c>~</c>,
    /// <c>\</c>, <c>#</c> and <c>?</c> become <c>~u</c>, <c>~t</c>, <c>~s</c>, <c>~h</c> and <c>~q</c>, and a control
    /// character <c>~x</c> and four hex digits (a table key holds none of <c>/ \ # ?</c> or control characters). Every
    /// <c>~</c> starts one of these, so no two ids share a key; an id holding none of them keeps Orleans' key.
    /// </summary>
    public static string Escape(string id)
    {
        if (id.AsSpan().IndexOfAny(Escaped) < 0) return id.Replace('/', '_');
        var text = new System.Text.StringBuilder(id.Length + 8);
        foreach (var c in id)
        {
            _ = c switch
            {
                '/' => text.Append('_'),
                '_' => text.Append("~u"),
                '~' => text.Append("~t"),
                '\\' => text.Append("~s"),
                '#' => text.Append("~h"),
                '?' => text.Append("~q"),
                _ when char.IsControl(c) => text.Append("~x").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture)),
                _ => text.Append(c),
            };
        }

        return text.ToString();
    }

    private static string Checked(string key) =>
        key.Length < MaxKeyLength ? key : throw new ArgumentException($"Key of {key.Length} characters is too long for an Azure table.", nameof(key));

    /// <summary>Orleans' rule for keys (<c>AzureTableUtils.SanitizeTableProperty</c>): characters a key cannot hold become <c>_</c>.</summary>
    private static string Sanitize(string key) => Checked(key.Replace('/', '_').Replace('\\', '_').Replace('#', '_').Replace('?', '_'));
}
