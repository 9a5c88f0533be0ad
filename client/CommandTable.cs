using System.Collections;

namespace OrleansKms.Cli;

/// <summary>A command: its name, one line of help, and what runs it (returning the process exit code).</summary>
internal sealed record Command(string Name, string Summary, Func<string[], CancellationToken, Task<int>> RunAsync);

/// <summary>
/// The tool's commands, dispatched by name: <c>kms COMMAND [options]</c>. <c>kms --help</c> lists them; each command
/// parses (and explains) its own options. A wrong command line exits with 2.
/// </summary>
internal sealed class CommandTable(string tool) : IEnumerable<Command>
{
    private readonly List<Command> _commands = [];

    public void Add(string name, string summary, Func<string[], CancellationToken, Task<int>> run) =>
        _commands.Add(new Command(name, summary, run));

    public async Task<int> RunAsync(string[] args, CancellationToken cancel)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            var writer = args.Length == 0 ? Console.Error : Console.Out;
            writer.WriteLine(Usage());
            return args.Length == 0 ? 2 : 0;
        }

        var command = _commands.Find(c => c.Name == args[0]);
        if (command is null)
        {
            Console.Error.WriteLine($"{tool}: unknown command '{args[0]}'.");
            Console.Error.WriteLine(Usage());
            return 2;
        }

        return await command.RunAsync(args[1..], cancel);
    }

    /// <summary>A token cancelled by the first Ctrl-C (the second one ends the process as usual).</summary>
    public static CancellationTokenSource CancelOnCtrlC()
    {
        var source = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            if (source.IsCancellationRequested) return;
            e.Cancel = true;
            source.Cancel();
        };
        return source;
    }

    private string Usage() =>
        $"Usage: {tool} COMMAND [options]\n\nCommands:\n" +
        string.Join('\n', _commands.Select(c => $"  {c.Name,-10} {c.Summary}")) +
        $"\n\nRun '{tool} COMMAND --help' for a command's options.";

    public IEnumerator<Command> GetEnumerator() => _commands.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
