namespace OrleansKms.Hosting.Durability;

/// <summary>
/// Watches the file a store saves itself to (Azurite's table database): when it was last saved, and making that
/// save durable. Virtual so that tests can stand in for the store.
/// </summary>
public class SaveWatch(string databasePath)
{
    /// <summary>The wall-clock time of the last completed save, or null if the store has not saved yet.</summary>
    public virtual DateTimeOffset? LastSave() =>
        File.Exists(databasePath) ? new DateTimeOffset(File.GetLastWriteTimeUtc(databasePath), TimeSpan.Zero) : null;

    /// <summary>fsync of the saved file and of its folder (the store writes a new file and renames it into place).</summary>
    public virtual void SyncToDisk()
    {
        using (var file = new FileStream(databasePath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete))
        {
            file.Flush(flushToDisk: true);
        }

        Posix.SyncDirectory(Path.GetDirectoryName(Path.GetFullPath(databasePath))!);
    }
}
