using System.Collections.Concurrent;
using Amazon.KeyManagementService;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansKms.Gateway;
using OrleansKms.Gateway.Audit;
using OrleansKms.Gateway.Auth;
using OrleansKms.Hosting;
using OrleansKms.Hosting.Embedded;
using OrleansKms.IntegrationTests.Infrastructure;

namespace OrleansKms.IntegrationTests.Embedded;

/// <summary>
/// An Orleans application as a user writes one: a silo host with <c>AddKms()</c> (memory storage) and
/// <c>AddKmsClient()</c>, no Kestrel and no gateway mapped. Its identities: the development root, and
/// <see cref="App"/> (an IAM user whose identity policy allows kms:*). The audit trail is on (memory store), beside a
/// request observer of the test's own.
/// </summary>
public sealed class EmbeddedKmsFixture : IAsyncLifetime
{
    public const string Account = "000000000000";
    public const string App = $"arn:aws:iam::{Account}:user/app";
    public const string AppAccessKey = "AKIAEMBEDDEDAPP";
    public const string AppSecret = "app-secret";
    private const string KmsAll = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}""";

    public IHost Host { get; private set; } = null!;

    /// <summary>Every request record the gateway's observers were given.</summary>
    public ConcurrentQueue<KmsRequestRecord> Observed { get; } = new();

    /// <summary>The client the application gets from DI (the development identity).</summary>
    public IAmazonKeyManagementService Kms => Host.Services.GetRequiredService<IAmazonKeyManagementService>();

    public KmsInProcessClients Clients => Host.Services.GetRequiredService<KmsInProcessClients>();

    public async ValueTask InitializeAsync()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(TestPorts.Free(), TestPorts.Free())
            .UseInMemoryReminderService()
            .AddKms(k => k.Region = "eu-west-1"));
        builder.Services.AddKmsClient();
        builder.Services.AddKmsGateway(g =>
        {
            g.Identities.Add(KmsIdentity.Development);
            g.Identities.Add(new KmsIdentity(AppAccessKey, AppSecret, Account, App) { Policies = [KmsAll] });
        });
        builder.Services.AddSingleton<IKmsRequestObserver>(new QueueObserver(Observed));
        builder.Services.AddKmsAudit(_ => new MemoryAuditStore());
        Host = builder.Build();
        await Host.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Host.StopAsync();
        Host.Dispose();
    }

    private sealed class QueueObserver(ConcurrentQueue<KmsRequestRecord> records) : IKmsRequestObserver
    {
        public void Observe(KmsRequestRecord record) => records.Enqueue(record);
    }
}
