using OrleansKms;
using OrleansKms.Gateway.Auth;
using OrleansKms.Hosting;
using OrleansKms.Silo;

if (!SiloCommandLine.TryParse(args, out var options, out var error))
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(SiloCommandLine.Usage);
    return error is null ? 0 : 2;
}

KmsServer server;
try
{
    server = await KmsServer.StartAsync(options);
}
catch (InvalidDataException e)
{
    // A bad identities or seed file: the message names the file, the entry and the field.
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
{
    // Another program (often another OrleansKms) holds the gateway's port: say so, not a stack trace.
    Console.Error.WriteLine($"{e.Message} Stop what listens there, or choose another port with --port.");
    return 1;
}

await using var _ = server;
var dev = KmsIdentity.Development;
Console.WriteLine($"""

    OrleansKms is running.
      endpoint:    {server.Endpoint.ToString().TrimEnd('/')}
      regions:     {(server.Regions.Count >= AwsRegions.All.Count ? "every AWS Region" : string.Join(", ", server.Regions))} (home {server.HomeRegion}; each Region starts on its first request)
      account:     {(options.IdentitiesFile is null ? dev.AccountId : "from " + options.IdentitiesFile)}
      credentials: {(options.IdentitiesFile is null ? $"access key '{dev.AccessKeyId}', secret '{dev.SecretAccessKey}' (development identity)" : "from " + options.IdentitiesFile)}
      storage:     {server.StorageDescription}{(options.DevAdmin ? "\n  dev admin:   POST /_kms/reset, /_kms/seed, /_kms/regions, /_kms/region/stop|start (development only)" : "")}
    Try: AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test aws --region {options.Region} --endpoint-url {server.Endpoint.ToString().TrimEnd('/')} kms create-key
    Ctrl-C stops the service.

    """);
await server.WaitForShutdownAsync();
return 0;
