using System.Text.Json;
using OrleansKms.Hosting.Azurite;

namespace OrleansKms.IntegrationTests.Persistence;

/// <summary>
/// How the preload script the service starts Azurite with saves Azurite's table database: one row per line, in
/// slices between which Azurite answers requests, to a new file renamed into place (docs/durability.md). Run in Node
/// against Azurite's own lokijs, with the file name Azurite gives its table database.
/// </summary>
public sealed class AzuriteTableSaveTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kms-tablesave-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string DatabasePath => Path.Combine(_directory, AzuriteProcess.TableDatabaseFile);

    /// <summary>
    /// Runs <paramref name="body"/> in Node after the preload script, with <c>Loki</c> (Azurite's lokijs), <c>file</c>
    /// (the table database's path), <c>open()</c> (a LokiJS database on that file, as Azurite makes it),
    /// <c>load(db)</c> and <c>save(db)</c> (promises) in scope; the body ends with <c>done(value)</c>, whose value the
    /// test gets as JSON.
    /// </summary>
    private async Task<JsonElement> RunAsync(string body, int heapMb = 0)
    {
        var output = await AzuriteNode.RunAsync(_directory, $$"""
            const fs = require('fs');
            const file = {{JsonSerializer.Serialize(DatabasePath)}};
            const open = () => new Loki(file, { persistenceMethod: 'fs', autosave: true, autosaveInterval: 5000 });
            const load = (db) => new Promise((resolve, reject) => db.loadDatabase({}, (e) => e ? reject(e) : resolve(db)));
            const save = (db) => new Promise((resolve, reject) => db.saveDatabase((e) => e ? reject(e) : resolve(db)));
            const table = (db) => db.getCollection('devstoreaccount1$kmskeys')
              || db.addCollection('devstoreaccount1$kmskeys', { indices: ['PartitionKey', 'RowKey'] });
            const row = (i, body) => ({ PartitionKey: 'p' + i, RowKey: 'key$p' + i, properties: { Data: body || ('v0-' + i) } });
            const find = (t, i) => t.findOne({ RowKey: 'key$p' + i, PartitionKey: 'p' + i });
            // Azurite replaces a row by removing it and inserting the new one.
            const replace = (t, i, body) => { t.remove(find(t, i)); t.insert(row(i, body)); };
            const consistent = (t) => t.data.every((d) => d.$loki !== undefined && find(t, d.PartitionKey.slice(1)) === d);
            const done = (value) => { process.stdout.write(JSON.stringify(value) + '\n'); process.exit(0); };
            (async () => {
            {{body}}
            })().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
            """, heapMb);
        return JsonDocument.Parse(output).RootElement.Clone();
    }

    [Fact]
    public async Task A_saved_table_database_loads_with_every_row_and_takes_writes()
    {
        var result = await RunAsync("""
            const db = open();
            const t = table(db);
            for (let i = 0; i < 5000; i++) t.insert(row(i));
            db.addCollection('empty');
            await save(db);
            const lines = fs.readFileSync(file, 'utf8').split('\n').length;
            const again = await load(open());
            const t2 = table(again);
            const before = { rows: t2.data.length, consistent: consistent(t2), empty: again.getCollection('empty').data.length };
            replace(t2, 17, 'v1');
            t2.insert(row(5000));
            done({ lines, before, after: { rows: t2.data.length, consistent: consistent(t2), replaced: find(t2, 17).properties.Data,
              ids: new Set(t2.data.map((d) => d.$loki)).size } });
            """);
        // A header, the database, 5,000 rows, and the newline after the last.
        Assert.Equal(5003, result.GetProperty("lines").GetInt32());
        var before = result.GetProperty("before");
        Assert.Equal(5000, before.GetProperty("rows").GetInt32());
        Assert.True(before.GetProperty("consistent").GetBoolean());
        Assert.Equal(0, before.GetProperty("empty").GetInt32());
        var after = result.GetProperty("after");
        Assert.Equal(5001, after.GetProperty("rows").GetInt32());
        Assert.True(after.GetProperty("consistent").GetBoolean());
        Assert.Equal("v1", after.GetProperty("replaced").GetString());
        Assert.Equal(5001, after.GetProperty("ids").GetInt32());
    }

    [Fact]
    public async Task Rows_replaced_while_a_save_writes_are_saved_as_they_were_and_stay_to_be_saved_next()
    {
        // LokiJS's remove strips $loki from the row object the save's snapshot still holds: without keeping it, the
        // saved file had rows without $loki, and Azurite answered 500 to any replace of them after a restart.
        var result = await RunAsync("""
            const db = open();
            const t = table(db);
            for (let i = 0; i < 30000; i++) t.insert(row(i, 'v0-' + 'x'.repeat(2000)));
            let replaced = 0;
            const writer = setInterval(() => { for (let j = 0; j < 300 && replaced < 30000; j++) replace(t, replaced++, 'v1'); }, 0);
            await save(db);
            clearInterval(writer);
            const dirtyAfterSave = db.autosaveDirty();
            const saved = table(await load(open()));
            const first = { rows: saved.data.length, consistent: consistent(saved), v1: saved.data.filter((d) => d.properties.Data === 'v1').length };
            await save(db);
            const next = table(await load(open()));
            done({ replaced, dirtyAfterSave, first, next: { rows: next.data.length, consistent: consistent(next),
              v1: next.data.filter((d) => d.properties.Data === 'v1').length } });
            """);
        Assert.True(result.GetProperty("replaced").GetInt32() > 0, "no row was replaced during the save");
        Assert.True(result.GetProperty("dirtyAfterSave").GetBoolean());
        var first = result.GetProperty("first");
        Assert.Equal(30000, first.GetProperty("rows").GetInt32());
        Assert.True(first.GetProperty("consistent").GetBoolean());
        Assert.Equal(0, first.GetProperty("v1").GetInt32());
        var next = result.GetProperty("next");
        Assert.Equal(30000, next.GetProperty("rows").GetInt32());
        Assert.True(next.GetProperty("consistent").GetBoolean());
        Assert.Equal(result.GetProperty("replaced").GetInt32(), next.GetProperty("v1").GetInt32());
    }

    [Fact]
    public async Task Entities_are_found_by_their_keys_after_every_kind_of_change_without_LokiJS_indices()
    {
        // LokiJS's binary indices cost an Array.splice per insert that grows with the table (0.66 ms a row at a
        // million rows): the preload finds entities in a map instead. Every findOne must answer as a scan would.
        var result = await RunAsync("""
            const db = open();
            const t = table(db);
            for (let i = 0; i < 2000; i++) t.insert(row(i));
            const scan = (c, i) => c.data.find((d) => d.PartitionKey === 'p' + i && d.RowKey === 'key$p' + i) || null;
            const wrong = (c, n) => { const bad = []; for (let i = 0; i < n; i++) if (find(c, i) !== scan(c, i)) bad.push(i); return bad; };
            const before = Object.keys(t.binaryIndices).sort();
            const found = find(t, 5) === scan(t, 5) && find(t, 5) !== null;
            const after = Object.keys(t.binaryIndices);
            // Replaced in place (outside a batch) and merged: the same $loki, a new object.
            t.update(Object.assign({}, find(t, 7), { properties: { Data: 'merged' } }));
            // Replaced by a remove and an insert (inside a batch), and removed by object and by $loki.
            replace(t, 9, 'v1');
            t.remove(find(t, 11));
            t.remove(find(t, 12).$loki);
            // Inserted after the map was built.
            for (let i = 2000; i < 2100; i++) t.insert(row(i));
            // A batch rolled back (Azurite's way): its insert removed, the row it replaced put back.
            const inserted = t.insert(row(5000));
            t.remove(inserted);
            const old = find(t, 13); t.remove(old); t.insert(row(13, 'v0-13'));
            // Many at once: the map is built again.
            t.findAndRemove({ PartitionKey: { $in: ['p20', 'p21'] } });
            // Keys changed by an update (Azurite never does; LokiJS allows it).
            const moved = find(t, 30);
            t.update(Object.assign({}, moved, { PartitionKey: 'p3000', RowKey: 'key$p3000' }));
            const changes = { wrong: wrong(t, 3001), merged: find(t, 7).properties.Data, replaced: find(t, 9).properties.Data,
              gone: [11, 12, 20, 21, 30, 5000].filter((i) => find(t, i) !== null), movedId: find(t, 3000).$loki === moved.$loki,
              rows: t.data.length };
            await save(db);
            const savedIndices = JSON.parse(fs.readFileSync(file, 'utf8').split('\n')[1]).collections[0].binaryIndices;
            const again = table(await load(open()));
            // A collection found by other fields (Azurite's list of tables) keeps its indices and LokiJS's findOne.
            const tables = db.addCollection('$TABLES_COLLECTION$', { indices: ['account', 'table'] });
            tables.insert({ account: 'a', table: 'x' });
            tables.insert({ account: 'a', table: 'y' });
            done({ before, found, after, changes, savedIndices: Object.keys(savedIndices), loaded: { rows: again.data.length, wrong: wrong(again, 3001) },
              tables: { indices: Object.keys(tables.binaryIndices).length, found: tables.findOne({ account: 'a', table: 'y' }).table } });
            """);
        Assert.Equal(["PartitionKey", "RowKey"], result.GetProperty("before").EnumerateArray().Select(e => e.GetString()));
        Assert.True(result.GetProperty("found").GetBoolean());
        Assert.Empty(result.GetProperty("after").EnumerateArray());
        var changes = result.GetProperty("changes");
        Assert.Empty(changes.GetProperty("wrong").EnumerateArray());
        Assert.Equal("merged", changes.GetProperty("merged").GetString());
        Assert.Equal("v1", changes.GetProperty("replaced").GetString());
        Assert.Empty(changes.GetProperty("gone").EnumerateArray());
        Assert.True(changes.GetProperty("movedId").GetBoolean());
        Assert.Equal(2100 - 4, changes.GetProperty("rows").GetInt32());
        Assert.Empty(result.GetProperty("savedIndices").EnumerateArray());
        Assert.Equal(2096, result.GetProperty("loaded").GetProperty("rows").GetInt32());
        Assert.Empty(result.GetProperty("loaded").GetProperty("wrong").EnumerateArray());
        Assert.Equal(2, result.GetProperty("tables").GetProperty("indices").GetInt32());
        Assert.Equal("y", result.GetProperty("tables").GetProperty("found").GetString());
    }

    [Fact]
    public async Task Azurite_replaces_an_entity_outside_a_batch_in_its_place_and_still_checks_its_ETag()
    {
        // Azurite's own Replace Entity removed the row and inserted the new one (a new LokiJS id at the end of the
        // rows): LokiJS's remove shifts every later row, a cost that grows with the table. Driven through Azurite's
        // own table store, as its Replace Entity handler calls it.
        var result = await RunAsync("""
            const Store = require(path.join(path.dirname(process.argv[1]), 'table', 'persistence', 'LokiTableMetadataStore.js')).default;
            const store = new Store(file, true);
            await store.init();
            const ctx = { contextID: 'test' };
            await store.createTable(ctx, { account: 'devstoreaccount1', table: 'kmskeys' });
            const entity = (i, v, etag) => ({ PartitionKey: 'p' + i, RowKey: 'key$p' + i, properties: { Data: v }, lastModifiedTime: new Date(), eTag: etag });
            for (let i = 0; i < 100; i++) await store.insertTableEntity(ctx, 'kmskeys', 'devstoreaccount1', entity(i, 'v0', 'e0-' + i), '');
            const t = store.db.getCollection('devstoreaccount1$kmskeys');
            const before = find(t, 5);
            const id = before.$loki, at = t.data.indexOf(before);
            await store.updateTableEntity(ctx, 'kmskeys', 'devstoreaccount1', entity(5, 'v1', 'e1-5'), 'e0-5', '');
            const after = find(t, 5);
            let stale = null;
            try { await store.updateTableEntity(ctx, 'kmskeys', 'devstoreaccount1', entity(5, 'v2', 'e2-5'), 'e0-5', ''); } catch (e) { stale = e.statusCode; }
            let missing = null;
            try { await store.updateTableEntity(ctx, 'kmskeys', 'devstoreaccount1', entity(500, 'v1', 'e1-500'), '*', ''); } catch (e) { missing = e.statusCode; }
            done({ sameId: after.$loki === id, samePlace: t.data.indexOf(after) === at, value: after.properties.Data, rows: t.data.length,
              stale, missing, consistent: consistent(t) });
            """);
        Assert.True(result.GetProperty("sameId").GetBoolean());
        Assert.True(result.GetProperty("samePlace").GetBoolean());
        Assert.Equal("v1", result.GetProperty("value").GetString());
        Assert.Equal(100, result.GetProperty("rows").GetInt32());
        Assert.Equal(412, result.GetProperty("stale").GetInt32());
        Assert.Equal(404, result.GetProperty("missing").GetInt32());
        Assert.True(result.GetProperty("consistent").GetBoolean());
    }

    [Fact]
    public async Task Close_during_a_save_reports_closed_only_once_the_save_is_in_place()
    {
        // Azurite reports its tables closed when LokiJS's close calls back, and the service then deletes its journal:
        // LokiJS's own close calls back at once when nothing changed since the save in progress began.
        var result = await RunAsync("""
            const db = await load(open());
            const t = table(db);
            for (let i = 0; i < 10; i++) t.insert(row(i));
            await save(db);
            for (let i = 10; i < 20000; i++) t.insert(row(i, 'x'.repeat(2000)));
            db.saveDatabase(() => {});
            db.close(() => {
              const writing = fs.existsSync(file + '~');
              load(open()).then((saved) => done({ writing, rows: table(saved).data.length }));
            });
            """);
        Assert.False(result.GetProperty("writing").GetBoolean());
        Assert.Equal(20000, result.GetProperty("rows").GetInt32());
    }

    [Fact]
    public async Task A_database_LokiJS_saved_itself_loads_and_is_saved_again_line_by_line()
    {
        var result = await RunAsync("""
            // As an earlier version left it: LokiJS's own save, one line.
            const plain = new Loki(file + '.plain', { persistenceMethod: 'fs' });
            const p = table(plain);
            for (let i = 0; i < 1000; i++) p.insert(row(i));
            await save(plain);
            fs.renameSync(file + '.plain', file);
            const oldLines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).length;
            const db = await load(open());
            const t = table(db);
            const loaded = { rows: t.data.length, consistent: consistent(t) };
            replace(t, 3, 'v1');
            await save(db);
            const newLines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0).length;
            const again = table(await load(open()));
            done({ oldLines, loaded, newLines, rows: again.data.length, replaced: find(again, 3).properties.Data });
            """);
        Assert.Equal(1, result.GetProperty("oldLines").GetInt32());
        Assert.Equal(1000, result.GetProperty("loaded").GetProperty("rows").GetInt32());
        Assert.True(result.GetProperty("loaded").GetProperty("consistent").GetBoolean());
        Assert.Equal(1002, result.GetProperty("newLines").GetInt32());
        Assert.Equal(1000, result.GetProperty("rows").GetInt32());
        Assert.Equal("v1", result.GetProperty("replaced").GetString());
    }

    [Fact]
    public async Task A_file_cut_short_is_an_error_not_a_smaller_database_and_a_leftover_new_file_is_ignored()
    {
        var result = await RunAsync("""
            const db = open();
            const t = table(db);
            for (let i = 0; i < 100; i++) t.insert(row(i));
            await save(db);
            // A save killed before its rename leaves NAME~; the file in place is the last whole save.
            fs.writeFileSync(file + '~', 'partial');
            const whole = table(await load(open())).data.length;
            const lines = fs.readFileSync(file, 'utf8').split('\n');
            fs.writeFileSync(file, lines.slice(0, lines.length - 11).join('\n') + '\n');
            let error = null;
            try { await load(open()); } catch (e) { error = String(e.message || e); }
            done({ whole, error });
            """);
        Assert.Equal(100, result.GetProperty("whole").GetInt32());
        Assert.Contains("cut short", result.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_table_database_larger_than_the_longest_string_Node_can_make_is_saved_and_loaded()
    {
        // LokiJS's own save makes one JSON string of the whole database, and V8 aborts past 536,870,888 characters
        // (at about 250,000 keys). 600 rows of 1 MB make a 600 MB database.
        var result = await RunAsync("""
            const limit = require('buffer').constants.MAX_STRING_LENGTH;
            const db = open();
            const t = table(db);
            for (let i = 0; i < 600; i++) t.insert(row(i, String.fromCharCode(97 + i % 26).repeat(1 << 20)));
            await save(db);
            const size = fs.statSync(file).size;
            const saved = table(await load(open()));
            done({ limit, size, rows: saved.data.length, consistent: consistent(saved),
              sample: saved.data[599].properties.Data.length, letter: find(saved, 599).properties.Data[12345] });
            """, heapMb: 4096);
        Assert.True(result.GetProperty("size").GetInt64() > result.GetProperty("limit").GetInt64());
        Assert.Equal(600, result.GetProperty("rows").GetInt32());
        Assert.True(result.GetProperty("consistent").GetBoolean());
        Assert.Equal(1 << 20, result.GetProperty("sample").GetInt32());
        Assert.Equal(((char)(97 + 599 % 26)).ToString(), result.GetProperty("letter").GetString());
    }
}
