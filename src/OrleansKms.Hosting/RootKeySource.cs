using Microsoft.Extensions.Logging;
using OrleansKms.Crypto;

namespace OrleansKms.Hosting;

/// <summary>Loads (or, for development, creates) the region's root key as <see cref="KmsOptions.RootKeyFile"/> describes.</summary>
public static class RootKeySource
{
    public static SecretBytes Load(KmsOptions options, ILogger logger, bool quietWhenVolatile = false)
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(options.RootKeyVariable);
        if (!string.IsNullOrEmpty(fromEnvironment)) return Decode(fromEnvironment, options.RootKeyVariable);
        if (options.RootKeyFile is { } file) return Decode(File.ReadAllText(file), file);
        if (options.DataDirectory is { } dir)
        {
            var path = Path.Combine(dir, options.RootKeyFileName);
            if (File.Exists(path)) return Decode(File.ReadAllText(path), path);
            Directory.CreateDirectory(dir);
            using var created = SecretBytes.Random(RootKeyWrapper.RootKeySize);
            var text = Convert.ToBase64String(created.Expose());
            var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(path, fileOptions))
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
            }

            logger.LogWarning("Generated a development root key at {Path} (mode 0600). Keep it: without it no stored key can be used.", path);
            return Decode(text, path);
        }

        if (!quietWhenVolatile)
            logger.LogWarning("No root key configured: using a random one for this process only. Stored keys will not be readable after a restart.");
        return SecretBytes.Random(RootKeyWrapper.RootKeySize);
    }

    private static SecretBytes Decode(string base64, string source)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidDataException($"The root key from {source} is not base64.");
        }

        if (bytes.Length != RootKeyWrapper.RootKeySize)
            throw new InvalidDataException($"The root key from {source} must be {RootKeyWrapper.RootKeySize} bytes, base64-encoded.");
        return SecretBytes.TakeOwnership(bytes);
    }
}
