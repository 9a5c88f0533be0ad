using System.Diagnostics;

namespace OrleansKms.IntegrationTests.Cli;

/// <summary><c>kms completion bash|zsh</c>: the script, loaded into a real bash, completes commands, subcommands and options.</summary>
public sealed class CompletionCommandTests
{
    private static async Task<string> CompleteAsync(string script, params string[] words)
    {
        var path = Path.Combine(Path.GetTempPath(), $"kms-completion-{Guid.NewGuid():N}.bash");
        await File.WriteAllTextAsync(path, script);
        try
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            var quoted = string.Join(' ', words.Select(w => $"'{w}'"));
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add($"source '{path}'; COMP_WORDS=({quoted}); COMP_CWORD={words.Length - 1}; _kms; echo \"${{COMPREPLY[*]}}\"");
            using var bash = Process.Start(start)!;
            var output = await bash.StandardOutput.ReadToEndAsync();
            var error = await bash.StandardError.ReadToEndAsync();
            await bash.WaitForExitAsync();
            Assert.True(bash.ExitCode == 0, error);
            Assert.Empty(error);
            return output.Trim();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Bash_completes_commands_subcommands_options_and_output_formats()
    {
        var script = await KmsProcess.RunAsync("completion", "bash");

        Assert.Equal(0, script.Code);
        Assert.Equal("keys", await CompleteAsync(script.Output, "kms", "ke"));
        Assert.Equal("list create update delete", await CompleteAsync(script.Output, "kms", "alias", ""));
        Assert.Equal("--output", await CompleteAsync(script.Output, "kms", "keys", "create", "--outp"));
        Assert.Equal("text json", await CompleteAsync(script.Output, "kms", "keys", "list", "--output", ""));
        Assert.Equal("--profile", await CompleteAsync(script.Output, "kms", "region", "status", "--pro"));
        Assert.EndsWith("complete -F _kms kms\n", script.Output);
    }

    [Fact]
    public async Task Bash_completion_offers_every_command_kms_help_lists()
    {
        var help = await KmsProcess.RunAsync("--help");
        var script = await KmsProcess.RunAsync("completion", "bash");
        var commands = help.Output.Split('\n').SkipWhile(l => l != "Commands:").Skip(1).TakeWhile(l => l.StartsWith("  ", StringComparison.Ordinal))
            .Select(l => l.Trim().Split(' ')[0]).ToList();

        var offered = (await CompleteAsync(script.Output, "kms", "")).Split(' ');

        Assert.Contains("keys", commands);
        Assert.Contains("completion", commands);
        Assert.Equal([.. commands.Order(StringComparer.Ordinal), "--help"], offered.Where(w => w != "--help").Order(StringComparer.Ordinal).Append("--help"));
    }

    [Fact]
    public async Task Zsh_gets_the_same_function_through_bashcompinit()
    {
        var bash = await KmsProcess.RunAsync("completion", "bash");
        var zsh = await KmsProcess.RunAsync("completion", "zsh");

        Assert.Equal(0, zsh.Code);
        Assert.Equal("#compdef kms\nautoload -U +X bashcompinit && bashcompinit\n" + bash.Output, zsh.Output);
    }
}
