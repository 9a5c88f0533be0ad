using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OrleansKms.Gateway.Auth;
using OrleansKms.Hosting.Durability;

namespace OrleansKms.UnitTests.Hosting;

/// <summary>
/// The service's own Azurite cannot save a table database past Node.js's longest string: creating stops before it
/// gets there, and everything else goes on.
/// </summary>
public sealed class AzuriteCapacityGateTests : IDisposable
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), "kms-capacity-" + Guid.NewGuid().ToString("N") + ".json");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly Warnings _log = new();

    public void Dispose() => File.Delete(_database);

    private void Saved(long bytes)
    {
        using var file = new FileStream(_database, FileMode.Create);
        file.SetLength(bytes);
    }

    private AzuriteCapacityGate Gate(long fullAt) => new(_database, fullAt, _clock, _log);

    private static void Admit(AzuriteCapacityGate gate, string operation) => gate.Admit("us-east-1", KmsIdentity.Development, operation);

    [Fact]
    public void Creating_is_refused_once_the_saved_database_reaches_the_limit_and_other_operations_go_on()
    {
        Saved(999);
        var gate = Gate(fullAt: 1_000);
        foreach (var operation in AzuriteCapacityGate.Growing) Admit(gate, operation);

        Saved(1_000);
        _clock.Advance(AzuriteCapacityGate.Refresh);
        foreach (var operation in AzuriteCapacityGate.Growing)
        {
            var e = Assert.Throws<KmsException>(() => Admit(gate, operation));
            Assert.Equal(KmsErrorCode.LimitExceededException, e.Code);
            Assert.Contains("Azurite store is full", e.Message);
            Assert.Contains("--storage-connection-string", e.Message);
        }

        foreach (var operation in new[] { "Encrypt", "Decrypt", "DescribeKey", "DeleteAlias", "RevokeGrant", "ScheduleKeyDeletion", "TagResource" })
            Admit(gate, operation);

        // Space freed (aliases deleted, a key's deletion done) and saved: creating goes on.
        Saved(500);
        _clock.Advance(AzuriteCapacityGate.Refresh);
        Admit(gate, "CreateKey");
    }

    [Fact]
    public void The_size_is_looked_at_again_only_after_a_second()
    {
        Saved(10);
        var gate = Gate(fullAt: 1_000);
        Saved(5_000);
        _clock.Advance(AzuriteCapacityGate.Refresh - TimeSpan.FromMilliseconds(1));
        Admit(gate, "CreateKey");
        Assert.Equal(10, gate.Size());

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Throws<KmsException>(() => Admit(gate, "CreateKey"));
        Assert.Equal(5_000, gate.Size());
    }

    [Fact]
    public void No_database_yet_is_an_empty_one()
    {
        var gate = Gate(fullAt: 1_000);
        Admit(gate, "CreateKey");
        Assert.Equal(0, gate.Size());
    }

    [Fact]
    public void A_warning_each_time_another_tenth_is_passed_from_half_of_the_limit()
    {
        Saved(400);
        var gate = Gate(fullAt: 1_000);
        Assert.Empty(_log.Messages);

        foreach (var size in new long[] { 500, 550, 620, 610, 900, 1_200 })
        {
            Saved(size);
            _clock.Advance(AzuriteCapacityGate.Refresh);
            gate.Size();
        }

        Assert.Equal(["50%", "62%", "90%", "120%"], _log.Messages.Select(m => m.Split(", ")[1].Split(' ')[0]));
    }

    [Fact]
    public void A_limit_below_one_byte_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Gate(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gate(0));
    }

    private sealed class Warnings : ILogger
    {
        public List<string> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning) Messages.Add(formatter(state, exception));
        }
    }
}
