namespace OrleansKms.Cli;

/// <summary>
/// A command line in the style every <c>kms</c> command takes: positional arguments, <c>--name value</c> (or
/// <c>--name=value</c>) options, flags, <c>--output text|json</c> (<c>table</c> is text), the connection options
/// (<see cref="ServiceConnection"/>) and <c>-h</c>/<c>--help</c>.
/// </summary>
internal sealed class CommandLine
{
    public List<string> Arguments { get; } = [];

    public Dictionary<string, List<string>> Values { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Flags { get; } = new(StringComparer.Ordinal);

    public ServiceConnection Connection { get; } = new();

    public bool Json => Output == "json";

    /// <summary>The <c>--output</c> given (text, table or json), null when none was.</summary>
    public string? Output { get; private set; }

    public bool Help { get; private set; }

    public string? Value(string name) => Values.TryGetValue(name, out var v) ? v[^1] : null;

    /// <summary>Parses <paramref name="args"/>; null with <paramref name="error"/> set when the line is wrong.</summary>
    public static CommandLine? Parse(IReadOnlyList<string> args, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flags, out string? error)
    {
        var line = new CommandLine();
        error = null;
        for (var i = 0; i < args.Count && error is null; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                line.Help = true;
                return line;
            }

            if (!arg.StartsWith('-') || arg == "-")
            {
                line.Arguments.Add(arg);
                continue;
            }

            var (name, inline) = arg.IndexOf('=') is var eq and > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
            if (flags.Contains(name))
            {
                if (inline is not null) error = $"{name} takes no value.";
                else line.Flags.Add(name);
                continue;
            }

            if (name != "--output" && !ServiceConnection.IsOption(name) && !valueOptions.Contains(name))
            {
                error = $"unknown option {name}.";
                continue;
            }

            if (inline is null && i + 1 >= args.Count)
            {
                error = $"{name} needs a value.";
                continue;
            }

            var value = inline ?? args[++i];
            if (name == "--output")
            {
                if (value is "text" or "table" or "json") line.Output = value;
                else error = $"--output takes text (or table) or json, not '{value}'.";
            }
            else if (ServiceConnection.IsOption(name)) line.Connection.Set(name, value);
            else (line.Values.TryGetValue(name, out var list) ? list : line.Values[name] = []).Add(value);
        }

        return error is null ? line : null;
    }
}
