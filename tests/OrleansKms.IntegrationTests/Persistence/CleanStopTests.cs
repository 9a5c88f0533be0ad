using Amazon.KeyManagementService.Model;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// The default service stopped as users stop it: Ctrl-C in a terminal (SIGINT to the whole process group), a
/// supervisor's SIGTERM to the group (docker stop, systemd), SIGTERM to the silo alone. Each time the silo and its
/// Azurite are gone within 10 seconds, nothing is printed as an error, the journal is empty (Azurite saved its
/// tables), and a restart has every key and ciphertext.
/// </summary>
public sealed class CleanStopTests : IAsyncDisposable
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "kms-stop-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("Ctrl-C (SIGINT to the process group)", SiloProcess.Sigint, true)]
    [InlineData("SIGTERM to the process group", SiloProcess.Sigterm, true)]
    [InlineData("SIGTERM to the silo alone", SiloProcess.Sigterm, false)]
    public async Task The_service_stops_within_10_seconds_without_errors_and_keeps_everything(string how, int signal, bool group)
    {
        string keyId;
        byte[] blob;
        int azuritePid;
        await using (var silo = await SiloProcess.StartAsync(_dataDirectory))
        {
            var kms = SdkClients.Create(silo.Endpoint, "us-east-1", "test", "test");
            keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Description = how })).KeyMetadata.KeyId;
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/stopped", TargetKeyId = keyId });
            blob = (await kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream([7, 7]) })).CiphertextBlob.ToArray();
            azuritePid = Assert.IsType<int>(silo.AzuritePid);

            if (group) silo.SignalGroup(signal);
            else silo.Signal(signal);
            Assert.True(await silo.WaitForExitAsync(TimeSpan.FromSeconds(10)), $"Still running 10 s after {how}. Output:\n{silo.Output}");
            Assert.False(SiloProcess.IsRunning(azuritePid), $"Azurite still running after {how}.");
            var errors = silo.Output.Split('\n').Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal)
                || l.Contains("Exception", StringComparison.Ordinal) || l.StartsWith("warn: OrleansKms", StringComparison.Ordinal) && !l.Contains("root key", StringComparison.Ordinal)).ToList();
            Assert.True(errors.Count == 0, $"Errors printed on {how}:\n{string.Join('\n', errors)}");
            Assert.Empty(Directory.GetFiles(Path.Combine(_dataDirectory, "journal")));
        }

        await using (var silo = await SiloProcess.StartAsync(_dataDirectory))
        {
            var kms = SdkClients.Create(silo.Endpoint, "us-east-1", "test", "test");
            Assert.Equal(how, (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/stopped" })).KeyMetadata.Description);
            Assert.Equal([7, 7], (await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(blob) })).Plaintext.ToArray());
            Assert.DoesNotContain("Replayed", silo.Output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_gateway_port_in_use_is_said_in_one_line_with_exit_code_1_and_nothing_is_left_running()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;

        var (exitCode, output) = await SiloProcess.RunUntilExitAsync(_dataDirectory, TimeSpan.FromSeconds(90), "--port", port.ToString());

        Assert.True(exitCode == 1, $"Exit code {exitCode}. Output:\n{output}");
        var last = output.TrimEnd().Split('\n')[^1];
        Assert.Contains($"127.0.0.1:{port}: address already in use", last);
        Assert.Contains("--port", last);
        Assert.DoesNotContain("Unhandled exception", output);
        // Azurite was started before the gateway failed to bind, and is gone with it (its pid file is removed when it
        // stops, so look for any process still working in this data directory).
        Assert.True(Directory.Exists(Path.Combine(_dataDirectory, "azurite")), $"Azurite was not started. Output:\n{output}");
        var left = Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _))
            .Select(d => { try { return File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' '); } catch (IOException) { return ""; } catch (UnauthorizedAccessException) { return ""; } })
            .Where(c => c.Contains(_dataDirectory, StringComparison.Ordinal)).ToList();
        Assert.True(left.Count == 0, $"Still running after the failed start:\n{string.Join('\n', left)}");
    }

    public ValueTask DisposeAsync()
    {
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
