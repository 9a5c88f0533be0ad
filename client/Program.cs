using OrleansKms.Cli;
using OrleansKms.Cli.Bench;

// kms: the OrleansKms command-line tool. One line per command; each command lives in its own folder.
var commands = new CommandTable("kms")
{
    { "bench", "measure ops/s and latency of a KMS endpoint, and of a bare-Kestrel ceiling", BenchCommand.RunAsync },
};

using var interrupt = CommandTable.CancelOnCtrlC();
return await commands.RunAsync(args, interrupt.Token);
