using OrleansKms.Cli;
using OrleansKms.Cli.Admin;
using OrleansKms.Cli.Bench;
using OrleansKms.Cli.Policy;
using OrleansKms.Cli.Regions;

// kms: the OrleansKms command-line tool. One line per command; each command lives in its own folder.
var commands = new CommandTable("kms")
{
    { "keys", "keys of the account in the Region: 'kms keys list|create|describe'", OrleansKms.Cli.Keys.KeysCommand.RunAsync },
    { "alias", "aliases: 'kms alias list|create|update|delete'", OrleansKms.Cli.Aliases.AliasCommand.RunAsync },
    { "audit", "the audit trail: 'kms audit' looks up CloudTrail records of KMS calls; 'kms audit export' writes a CloudTrail log file", OrleansKms.Cli.Audit.AuditCommand.RunAsync },
    { "bench", "measure ops/s and latency of a KMS endpoint, and of a bare-Kestrel ceiling", BenchCommand.RunAsync },
    { "cost", "the month's bill as this service meters it: 'kms cost [--month 2026-11] [--by key|operation|principal] [--output text|json]'", OrleansKms.Cli.Cost.CostCommand.RunAsync },
    { "decrypt", "decrypt an AWS Encryption SDK message (file or pipe) with the KMS keys it names", OrleansKms.Cli.Envelope.EnvelopeCommands.DecryptAsync },
    { "drill", "development: 'kms drill failover' takes a multi-Region key's primary Region down under load, reports what clients saw", DrillCommand.RunAsync },
    { "encrypt", "envelope-encrypt a file or pipe into an AWS Encryption SDK message under one or more KMS keys", OrleansKms.Cli.Envelope.EnvelopeCommands.EncryptAsync },
    { "policy", "explain a decision: 'kms policy simulate' prints allow or deny and the statements that made it", PolicyCommand.RunAsync },
    { "region", "development: 'kms region status|stop|start' lists, stops, starts the Regions of a service started with --dev-admin", RegionCommand.RunAsync },
    { "reset", "development: delete every key, alias and grant of a service started with --dev-admin", AdminCommands.ResetAsync },
    { "seed", "development: create the keys of a seed file (YAML or JSON) on a service started with --dev-admin", AdminCommands.SeedAsync },
    { "completion", "print a shell completion script: 'kms completion bash' or 'kms completion zsh'", OrleansKms.Cli.Completion.CompletionCommand.RunAsync },
    { "xks-proxy", "the reference AWS external key store (XKS) proxy: serves the AES keys of a PKCS#11 token (e.g. SoftHSM2)", OrleansKms.Cli.Xks.XksProxyCommand.RunAsync },
};

using var interrupt = CommandTable.CancelOnCtrlC();
return await commands.RunAsync(args, interrupt.Token);
