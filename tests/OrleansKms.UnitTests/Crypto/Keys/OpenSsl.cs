using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace OrleansKms.UnitTests.Crypto.Keys;

/// <summary>
/// The openssl command line (OpenSSL 3.0 here) as an independent party: files in a temp folder of its own,
/// one process per call, exit code and output returned.
/// </summary>
internal sealed class OpenSsl : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kms-openssl-").FullName;
    private int _next;

    /// <summary>Writes bytes to a new file of the temp folder and returns its path.</summary>
    public string File(ReadOnlySpan<byte> content, string suffix = ".bin")
    {
        var path = Path.Combine(_dir, $"f{Interlocked.Increment(ref _next)}{suffix}");
        System.IO.File.WriteAllBytes(path, content.ToArray());
        return path;
    }

    public string PublicKeyPem(ReadOnlySpan<byte> spki) =>
        File(Encoding.ASCII.GetBytes(PemEncoding.WriteString("PUBLIC KEY", spki)), ".pem");

    public string PrivateKeyPem(ReadOnlySpan<byte> pkcs8) =>
        File(Encoding.ASCII.GetBytes(PemEncoding.WriteString("PRIVATE KEY", pkcs8)), ".pem");

    public string NewPath() => Path.Combine(_dir, $"out{Interlocked.Increment(ref _next)}.bin");

    /// <summary>Runs openssl; returns its exit code, stdout and stderr.</summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunTool("openssl", args);

    /// <summary>Runs Node.js (v20, on OpenSSL 3.0, on the machine as openssl is) on a script; fails unless it exits 0.</summary>
    public static string Node(string script, params string[] args)
    {
        var (code, stdout, stderr) = RunTool("node", ["-e", script, .. args]);
        Assert.True(code == 0, $"node exited {code}: {stderr}");
        return stdout;
    }

    private static (int ExitCode, string Stdout, string Stderr) RunTool(string tool, string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }

    /// <summary>Runs openssl and fails the test unless it exits 0.</summary>
    public static string MustRun(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        Assert.True(code == 0, $"openssl {string.Join(' ', args)} exited {code}: {stderr}");
        return stdout;
    }

    /// <summary>Runs an openssl command (its name first) with "-out FILE" and returns that file's bytes.</summary>
    public byte[] MustRunToFile(string command, params string[] args)
    {
        var output = NewPath();
        MustRun([command, "-out", output, .. args]);
        return System.IO.File.ReadAllBytes(output);
    }

    /// <summary>True if openssl's signature verification (a pkeyutl or dgst call) accepts.</summary>
    public static bool Verifies(params string[] args)
    {
        var (code, stdout, stderr) = Run(args);
        // Both tools say "Verified OK" / "Signature Verified Successfully" on success and exit non-zero otherwise.
        if (code == 0) return stdout.Contains("Verified", StringComparison.Ordinal);
        Assert.DoesNotContain("unsupported", stderr, StringComparison.OrdinalIgnoreCase);
        return false;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

internal static class Bytes
{
    public static byte[] Flip(ReadOnlySpan<byte> bytes, int index)
    {
        var copy = bytes.ToArray();
        copy[index] ^= 0x01;
        return copy;
    }

    public static byte[] Message(int length = 100) => RandomNumberGenerator.GetBytes(length);
}
