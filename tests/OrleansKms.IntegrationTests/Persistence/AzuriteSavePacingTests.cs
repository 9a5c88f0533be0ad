namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// The preload script the service starts Azurite with paces Azurite's autosaves (LokiJS) by their cost: a save that
/// took T waits max(5 s, 9 T) before the next, so a large database is not saved (holding Node's only thread) a fifth
/// of the time. Run in Node against Azurite's own lokijs, with the script's timers and clock replaced by a fake clock
/// that the test script moves, and a storage adapter whose save takes a set time on that clock.
/// </summary>
public sealed class AzuriteSavePacingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kms-pacing-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>Runs 120 s of fake time with a write every 100 ms and saves costing <paramref name="saveMs"/>; the start of each save, and whether close saved.</summary>
    private async Task<(List<long> Saves, bool ClosedSaved)> RunAsync(int saveMs)
    {
        // The timers and clock the preload script schedules saves with (it looks them up when it schedules) are faked.
        var output = await AzuriteNode.RunAsync(_directory, $$"""
            let now = 0;
            const timers = new Set();
            Date.now = () => now;
            global.setTimeout = (fn, ms) => { const t = { at: now + (ms || 0), fn }; timers.add(t); return t; };
            global.clearTimeout = (t) => { timers.delete(t); };
            const saves = [];
            const adapter = {
              saveDatabase(name, text, callback) { saves.push(now); now += {{saveMs}}; callback(null); },
              loadDatabase(name, callback) { callback(null); },
            };
            const db = new Loki('db.json', { adapter, autosave: true, autosaveInterval: 5000 });
            const rows = db.addCollection('rows');
            let nextWrite = 0;
            while (now < 120000) {
              const due = [...timers].sort((a, b) => a.at - b.at)[0];
              if (nextWrite <= (due ? due.at : Infinity)) { now = Math.max(now, nextWrite); rows.insert({ at: now }); nextWrite = now + 100; continue; }
              timers.delete(due);
              now = Math.max(now, due.at);
              due.fn();
            }
            const before = saves.length;
            rows.insert({ last: true });
            db.close(() => {
              process.stdout.write(JSON.stringify({ saves: saves.slice(0, before), closedSaved: saves.length === before + 1 }) + '\n');
              process.exit(0);
            });
            for (const t of [...timers]) { timers.delete(t); t.fn(); }
            """);
        using var result = System.Text.Json.JsonDocument.Parse(output);
        return (result.RootElement.GetProperty("saves").EnumerateArray().Select(e => e.GetInt64()).ToList(),
            result.RootElement.GetProperty("closedSaved").GetBoolean());
    }

    private static List<long> Gaps(List<long> saves) => saves.Zip(saves.Skip(1), (a, b) => b - a).ToList();

    [Fact]
    public async Task A_cheap_save_comes_every_5_seconds_as_Azurite_asks()
    {
        var (saves, closedSaved) = await RunAsync(saveMs: 100);
        Assert.InRange(saves.Count, 20, 24);
        Assert.All(Gaps(saves), gap => Assert.InRange(gap, 5_000, 5_200));
        Assert.True(closedSaved);
    }

    [Fact]
    public async Task A_save_that_takes_2_seconds_is_followed_by_18_seconds_without_one()
    {
        var (saves, closedSaved) = await RunAsync(saveMs: 2_000);
        Assert.InRange(saves.Count, 5, 6);
        Assert.All(Gaps(saves), gap => Assert.InRange(gap, 20_000, 20_200));
        Assert.True(closedSaved);
    }
}
