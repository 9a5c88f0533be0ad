namespace OrleansKms.Encryption;

/// <summary>Writes a file under a temporary name beside it and renames it into place only if the writer succeeds.</summary>
internal static class AtomicFile
{
    public static async Task<T> WriteAsync<T>(string path, Func<Stream, Task<T>> write, CancellationToken cancel)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            T result;
            // Owner-only until complete: a plaintext file must not be readable by others while it is written.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0 };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            await using (var output = new FileStream(temporary, options))
            {
                result = await write(output);
                cancel.ThrowIfCancellationRequested();
            }

            File.Move(temporary, full, overwrite: true);
            return result;
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
