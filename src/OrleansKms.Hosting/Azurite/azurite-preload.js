// Written by OrleansKms (AzuriteProcess.WritePreloadScript) and loaded into Azurite with `node --require`.
// Five changes to how Azurite runs; docs/durability.md says why.
//  1. Azurite stops (saving its tables) when the service that started it is gone.
//  2. Saves are paced by their cost: the next autosave waits nine times as long as the last save worked.
//  3. The table database is saved one row per line, a slice at a time, instead of as one JSON string: no save can
//     pass the longest string Node.js can make, and Azurite answers requests while it saves.
//  4. A row replaced outside a batch keeps its place, instead of being removed and inserted again: a write of an
//     existing row no longer costs time in proportion to the table's size.
//  5. Entities are found by PartitionKey and RowKey in a map, not LokiJS's binary indices: an insert no longer costs
//     time in proportion to the table's size either.
'use strict';

// Azurite stops on the first SIGTERM (it listens once). A second one (stdin's end and error both, or the service
// stopping an Azurite left running) must not kill it by Node's default action in the middle of its last save.
process.on('SIGTERM', () => {});
process.stdin.on('end', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.on('error', () => process.kill(process.pid, 'SIGTERM'));
process.stdin.resume();
// Watching stdin must not keep Azurite alive once its servers have closed.
if (typeof process.stdin.unref === 'function') process.stdin.unref();

(function () {
  const path = require('path');
  const fs = require('fs');
  const readline = require('readline');
  let Loki;
  try {
    // Azurite's own lokijs: the module Azurite will load.
    Loki = require(require.resolve('lokijs', { paths: [path.dirname(process.argv[1])] }));
  } catch (e) {
    return;
  }
  if (!Loki || !Loki.prototype || Loki.prototype.orleansKmsPatched) return;
  Loki.prototype.orleansKmsPatched = true;

  // ---- 2. Saves paced by their cost ------------------------------------------------------------------------------
  Loki.prototype.autosaveEnable = function () {
    this.autosave = true;
    if (this.autosaveHandle) return;
    const self = this;
    const base = typeof this.autosaveInterval === 'number' ? this.autosaveInterval : 5000;
    const schedule = (delay) => {
      self.autosaveHandle = setTimeout(function () {
        if (!self.autosaveHandle) return;
        if (!self.autosaveDirty() || self.ignoreAutosave) return schedule(base);
        const started = Date.now();
        self.saveDatabase(function () {
          // A save in slices lets requests in between: pace by the time it worked, not by how long it lasted.
          const adapter = self.persistenceAdapter;
          const took = adapter && typeof adapter.lastWorkMs === 'number' ? adapter.lastWorkMs : Date.now() - started;
          if (self.autosaveHandle) schedule(Math.max(base, took * 9));
        });
      }, delay);
    };
    schedule(base);
  };
  Loki.prototype.autosaveDisable = function () {
    if (this.autosaveHandle) clearTimeout(this.autosaveHandle);
    this.autosaveHandle = null;
  };

  // ---- 4. A row replaced in place ----------------------------------------------------------------------------------
  // LokiJS keeps a collection's rows in an array, and each index as an array of positions in it. Removing a row
  // shifts the rows after it and walks every index to renumber them: at a million rows, milliseconds per row, on
  // Azurite's only thread. Azurite replaced a row (Replace Entity, Insert Or Replace) by removing it and inserting the
  // new one, so each write of an existing row cost that. A replace outside a batch now puts the new row where the old
  // one was (same $loki, same position); a batch keeps Azurite's own way, which its rollback relies on. (The entity
  // tables' indices themselves are gone: section 5.)
  (function () {
    let Store;
    try {
      Store = require(path.join(path.dirname(process.argv[1]), 'table', 'persistence', 'LokiTableMetadataStore.js')).default;
    } catch (e) {
      return;
    }
    if (!Store || !Store.prototype || typeof Store.prototype.updateTableEntity !== 'function') return;
    const updateTableEntity = Store.prototype.updateTableEntity;
    Store.prototype.updateTableEntity = async function (context, table, account, entity, ifMatch, batchId) {
      if (batchId !== '' || !entity || entity.$loki !== undefined) return updateTableEntity.apply(this, arguments);
      const rows = this.getEntityCollection(account, table, context);
      const doc = rows.findOne({ RowKey: entity.RowKey, PartitionKey: entity.PartitionKey });
      const matches = ifMatch === undefined || ifMatch === '*' || (doc && this.encodeIfMatch(doc.eTag) === this.encodeIfMatch(ifMatch));
      // Not found, or not matching: Azurite's own answers the error.
      if (!doc || !matches) return updateTableEntity.apply(this, arguments);
      entity.properties.Timestamp = entity.lastModifiedTime;
      entity.properties['Timestamp@odata.type'] = 'Edm.DateTime';
      entity.$loki = doc.$loki;
      entity.meta = Object.assign({}, doc.meta);
      rows.update(entity);
      return entity;
    };
  })();

  // ---- 5. Rows found by their keys in a map ------------------------------------------------------------------------
  // Azurite finds an entity with findOne({ RowKey, PartitionKey }), which LokiJS answers from a binary index: a binary
  // search comparing long keys that share most of their characters, and, on every insert, an Array.splice into each
  // of the two indices (PartitionKey and RowKey), whose cost grows with the table (about 0.5 ms a row at a million rows).
  // Nothing else Azurite does with an entity table uses those indices: its queries scan every row with a filter
  // function. The first such findOne on a collection builds a map from PartitionKey and RowKey to the row, drops the
  // two indices, and from then on insert, update and remove keep the map; the saved file has no indices, and the map
  // is built again when the file is loaded.
  const ROWS = Symbol('orleansKmsRows');
  const SEPARATOR = '\u0000'; // a control character, which no PartitionKey or RowKey may hold
  const rowKeyOf = (doc) => doc !== null && typeof doc === 'object' && typeof doc.PartitionKey === 'string' && typeof doc.RowKey === 'string'
    ? doc.PartitionKey + SEPARATOR + doc.RowKey : null;
  const isPointQuery = (query) => {
    if (query === null || typeof query !== 'object' || Array.isArray(query)) return false;
    const names = Object.keys(query);
    return names.length === 2 && typeof query.PartitionKey === 'string' && typeof query.RowKey === 'string';
  };
  const rowsOf = (collection) => {
    let rows = collection[ROWS];
    if (rows !== undefined) return rows;
    rows = new Map();
    for (const doc of collection.data) {
      const key = rowKeyOf(doc);
      if (key !== null && !rows.has(key)) rows.set(key, doc);
    }
    delete collection.binaryIndices.PartitionKey;
    delete collection.binaryIndices.RowKey;
    Object.defineProperty(collection, ROWS, { value: rows, writable: true, configurable: true, enumerable: false });
    return rows;
  };
  const findOne = Loki.Collection.prototype.findOne;
  Loki.Collection.prototype.findOne = function (query) {
    if (!isPointQuery(query) || this.cloneObjects) return findOne.apply(this, arguments);
    const doc = rowsOf(this).get(query.PartitionKey + SEPARATOR + query.RowKey);
    return doc === undefined ? null : doc;
  };
  const addRow = Loki.Collection.prototype.add;
  Loki.Collection.prototype.add = function (obj) {
    const result = addRow.apply(this, arguments);
    const rows = this[ROWS];
    if (rows !== undefined) {
      const stored = this.data[this.data.length - 1];
      const key = rowKeyOf(stored);
      if (key !== null) rows.set(key, stored);
    }
    return result;
  };
  const updateRow = Loki.Collection.prototype.update;
  Loki.Collection.prototype.update = function (doc) {
    const rows = this[ROWS];
    if (rows === undefined || doc === null || typeof doc !== 'object' || Array.isArray(doc) || doc.$loki === undefined)
      return updateRow.apply(this, arguments);
    const old = this.get(doc.$loki);
    const result = updateRow.apply(this, arguments);
    const stored = this.get(doc.$loki);
    const oldKey = rowKeyOf(old);
    const key = rowKeyOf(stored);
    if (oldKey !== null && oldKey !== key && rows.get(oldKey) === old) rows.delete(oldKey);
    if (key !== null) rows.set(key, stored);
    return result;
  };
  const removeRow = Loki.Collection.prototype.remove;
  Loki.Collection.prototype.remove = function (doc) {
    const rows = this[ROWS];
    if (rows === undefined || doc === null || Array.isArray(doc)) return removeRow.apply(this, arguments);
    const stored = typeof doc === 'number' ? this.get(doc)
      : doc !== null && typeof doc === 'object' && doc.$loki !== undefined ? this.get(doc.$loki) : null;
    const result = removeRow.apply(this, arguments);
    const key = rowKeyOf(stored);
    if (key !== null && rows.get(key) === stored) rows.delete(key);
    return result;
  };
  // Removing many rows at once (every such path ends in removeBatchByPositions) or clearing the collection: Azurite
  // does neither to an entity table; the map is built again at the next findOne.
  for (const name of ['removeBatchByPositions', 'clear']) {
    const removing = Loki.Collection.prototype[name];
    if (typeof removing !== 'function') continue;
    Loki.Collection.prototype[name] = function () {
      try {
        return removing.apply(this, arguments);
      } finally {
        if (this[ROWS] !== undefined) this[ROWS] = undefined;
      }
    };
  }

  // ---- 3. The table database saved line by line --------------------------------------------------------------------
  // File format: line 1 {"format":"orleans-kms-lines","counts":[rows of each collection]}; line 2 the database as
  // LokiJS serialises it with every collection's rows left out (indices included); then each collection's rows, one
  // JSON document per line, in order. Written to NAME~, fsync'd, then renamed over NAME. A file LokiJS saved itself
  // (one line: the whole database) is still read, so a data directory of an earlier version loads as it was.
  const FORMAT = 'orleans-kms-lines';
  const TABLE_DATABASE = /^__azurite_db_table__\.json$/;
  const SLICE_BYTES = 1 << 20;

  // LokiJS's remove deletes $loki and meta from the row object itself. A row removed (Azurite replaces a row by
  // removing it and inserting the new one) while a save is writing the snapshot still belongs in that save, with the
  // $loki and meta it had: they are kept here, for the save in progress only.
  let removedDuringSave = null;
  const remove = Loki.Collection.prototype.remove;
  Loki.Collection.prototype.remove = function (doc) {
    if (removedDuringSave !== null && doc !== null && typeof doc === 'object' && !Array.isArray(doc)
        && doc.$loki !== undefined && !removedDuringSave.has(doc))
      removedDuringSave.set(doc, { $loki: doc.$loki, meta: doc.meta });
    return remove.apply(this, arguments);
  };
  const asSnapshotted = (doc) => {
    const kept = removedDuringSave !== null ? removedDuringSave.get(doc) : undefined;
    if (kept === undefined) {
      if (doc.$loki === undefined) throw new Error('a row of the snapshot lost its $loki');
      return doc;
    }
    const row = Object.assign({}, doc);
    row.$loki = kept.$loki;
    if (kept.meta !== undefined) row.meta = kept.meta;
    return row;
  };

  function LinesAdapter() {
    this.mode = 'reference';
    this.lastWorkMs = 0;
  }
  Loki.OrleansKmsLinesAdapter = LinesAdapter;

  LinesAdapter.prototype.loadDatabase = function (dbname, callback) {
    fs.stat(dbname, function (statError) {
      if (statError) {
        callback(statError.code === 'ENOENT' ? null : statError);
        return;
      }
      const input = fs.createReadStream(dbname, { encoding: 'utf8' });
      const lines = readline.createInterface({ input, crlfDelay: Infinity });
      let header = null;
      let database = null;
      let lokiSave = false;
      let collection = 0;
      let failure = null;
      const fail = (error) => {
        if (!failure) failure = error;
        lines.close();
        input.destroy();
      };
      lines.on('line', function (line) {
        if (failure) return;
        try {
          if (header === null && !lokiSave) {
            const first = JSON.parse(line);
            if (first && first.format === FORMAT) header = first;
            else {
              lokiSave = true;
              database = first;
            }
            return;
          }
          if (lokiSave) throw new Error(dbname + ': more than one line in a database LokiJS saved');
          if (database === null) {
            database = JSON.parse(line);
            if (!database || !Array.isArray(database.collections) || database.collections.length !== header.counts.length)
              throw new Error(dbname + ': the database line does not match the header');
            for (const c of database.collections) c.data = [];
            return;
          }
          while (collection < header.counts.length && database.collections[collection].data.length >= header.counts[collection]) collection++;
          if (collection >= header.counts.length) throw new Error(dbname + ': more rows than its header counts');
          database.collections[collection].data.push(JSON.parse(line));
        } catch (error) {
          fail(error);
        }
      });
      input.on('error', fail);
      lines.on('close', function () {
        if (failure) return callback(failure);
        if (database === null) return callback(new Error(dbname + ': empty'));
        if (header !== null) {
          for (let i = 0; i < header.counts.length; i++) {
            if (database.collections[i].data.length !== header.counts[i])
              return callback(new Error(dbname + ': cut short (collection ' + database.collections[i].name + ' has '
                + database.collections[i].data.length + ' of ' + header.counts[i] + ' rows)'));
          }
        }
        callback(database);
      });
    });
  };

  // Called with a snapshot taken in one turn of the event loop (takeSnapshot); serialises it in slices of about 1 MB,
  // letting other work run between them. Rows changed in place after the snapshot may be saved as changed: harmless,
  // the change was made, and the storage journal keeps every acknowledged write until two later saves.
  LinesAdapter.prototype.exportDatabase = function (dbname, snapshot, callback) {
    const self = this;
    const temporary = dbname + '~';
    let work = 0;
    let fd = null;
    const finish = (error) => {
      removedDuringSave = null;
      self.lastWorkMs = work;
      if (error) {
        const done = () => fs.unlink(temporary, () => callback(error));
        if (fd !== null) fs.close(fd, done);
        else done();
        return;
      }
      callback(null);
    };
    fs.open(temporary, 'w', 0o600, function (openError, opened) {
      if (openError) return finish(openError);
      fd = opened;
      let c = 0;
      let r = 0;
      let text = snapshot.head;
      const next = () => {
        const began = Date.now();
        const parts = [];
        let size = 0;
        while (c < snapshot.rows.length && size < SLICE_BYTES) {
          const rows = snapshot.rows[c];
          if (r >= rows.length) {
            c++;
            r = 0;
            continue;
          }
          let line;
          try {
            line = JSON.stringify(asSnapshotted(rows[r++]));
          } catch (error) {
            work += Date.now() - began;
            return finish(error);
          }
          parts.push(line);
          size += line.length + 1;
        }
        if (parts.length > 0) text += parts.join('\n') + '\n';
        if (text.length === 0) {
          work += Date.now() - began;
          return end();
        }
        const chunk = Buffer.from(text, 'utf8');
        text = '';
        work += Date.now() - began;
        writeAll(chunk, 0);
      };
      const writeAll = (chunk, offset) => {
        fs.write(fd, chunk, offset, chunk.length - offset, null, function (writeError, written) {
          if (writeError) return finish(writeError);
          if (offset + written < chunk.length) return writeAll(chunk, offset + written);
          setImmediate(next);
        });
      };
      const end = () => {
        fs.fsync(fd, function (syncError) {
          if (syncError) return finish(syncError);
          fs.close(fd, function (closeError) {
            fd = null;
            if (closeError) return finish(closeError);
            fs.rename(temporary, dbname, finish);
          });
        });
      };
      next();
    });
  };

  // The snapshot: each collection's rows and index positions as they are now, and the database without its rows.
  function takeSnapshot(db) {
    const copy = db.copy({ removeNonSerializable: true });
    const rows = [];
    const counts = [];
    for (let i = 0; i < copy.collections.length; i++) {
      const collection = copy.collections[i];
      rows.push(collection.data);
      counts.push(collection.data.length);
      collection.data = [];
      // The copy shares its indices with the database; save copies of their positions, taken with the rows.
      const indices = {};
      for (const name of Object.keys(collection.binaryIndices || {})) {
        const index = collection.binaryIndices[name];
        indices[name] = { name: index.name, dirty: index.dirty, values: index.values.slice() };
      }
      collection.binaryIndices = indices;
    }
    const head = JSON.stringify({ format: FORMAT, counts }) + '\n' + copy.serialize({ serializationMethod: 'normal' }) + '\n';
    return { head, rows };
  }

  const saveDatabaseInternal = Loki.prototype.saveDatabaseInternal;
  Loki.prototype.saveDatabaseInternal = function (callback) {
    const adapter = this.persistenceAdapter;
    if (!(adapter instanceof LinesAdapter)) return saveDatabaseInternal.call(this, callback);
    const done = callback || function (error) { if (error) throw error; };
    const snapshot = takeSnapshot(this);
    removedDuringSave = new WeakMap();
    // Cleared with the snapshot, not after the save as LokiJS does for such adapters: a write made while the save
    // runs leaves the database dirty, so the next save (and the one at close) includes it.
    this.autosaveClearFlags();
    const self = this;
    adapter.exportDatabase(this.filename, snapshot, function (error) {
      if (error) for (const collection of self.collections) collection.dirty = true;
      done(error);
    });
  };

  // LokiJS's close saves only if the database is dirty, and reports closed at once otherwise, even while a save is
  // still writing; Azurite would then report its tables closed (on which the service deletes its journal) and exit.
  // A save in progress is waited for first.
  const close = Loki.prototype.close;
  Loki.prototype.close = function (callback) {
    if (!(this.persistenceAdapter instanceof LinesAdapter) || !this.throttledSavePending) return close.call(this, callback);
    const self = this;
    this.autosaveDisable();
    this.throttledSaveDrain(function () { close.call(self, callback); });
  };

  const configureOptions = Loki.prototype.configureOptions;
  Loki.prototype.configureOptions = function (options, initialConfig) {
    configureOptions.call(this, options, initialConfig);
    if (this.persistenceMethod === 'fs' && typeof this.filename === 'string' && TABLE_DATABASE.test(path.basename(this.filename)))
      this.persistenceAdapter = new LinesAdapter();
  };
})();
