// Independent readers of p53evo datasets: DuckDB (@duckdb/node-api, no
// extensions, offline) reads a run and a Hive-partitioned sweep in Parquet,
// and apache-arrow JS reads the Arrow IPC tables (zstd through the fzstd
// codec, and uncompressed). Every value is compared with `p53evo export
// --to json` of the same dataset, not just row counts.
//
// Usage: node check.mjs P53EVO_BINARY WORKDIR
// Exit status 0 when every comparison holds, 1 otherwise.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC, compressionRegistry, CompressionType } from 'apache-arrow';
import { decompress } from 'fzstd';

const [bin, work] = process.argv.slice(2);
if (!bin || !work) {
  console.error('usage: node check.mjs P53EVO_BINARY WORKDIR');
  process.exit(2);
}
fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });

let failures = 0;
let checked = 0;
const fail = (msg) => {
  failures++;
  if (failures <= 20) console.error('FAIL: ' + msg);
};

const p53evo = (...args) => execFileSync(bin, args, { cwd: work, encoding: 'utf8', maxBuffer: 1 << 30 });

// JSON lines of `p53evo export`, with integers of 16 or more digits kept as
// strings (JSON.parse would round them to the nearest double; Go prints
// floats of that size with an exponent, so only integer columns match).
const exportRows = (dir, table) =>
  p53evo('export', dir, '--table', table, '--to', 'json')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l.replace(/([:,]\s*)(-?\d{16,})(?=\s*[,}])/g, '$1"$2"')));

// same compares one value from a reader with the exported one.
const same = (got, want) => {
  if (want === null) return got === null || (typeof got === 'number' && !Number.isFinite(got));
  if (typeof got === 'bigint') return got.toString() === String(want);
  if (typeof got === 'number' && typeof want === 'string') return BigInt(want) === BigInt(got);
  return got === want;
};

const compare = (label, gotRows, wantRows, columns) => {
  if (gotRows.length !== wantRows.length) {
    fail(`${label}: ${gotRows.length} rows, export has ${wantRows.length}`);
    return;
  }
  if (wantRows.length === 0) {
    fail(`${label}: no rows to compare (the check needs a dataset with rows in every table)`);
    return;
  }
  for (let i = 0; i < wantRows.length; i++) {
    for (const c of columns ?? Object.keys(wantRows[i])) {
      checked++;
      if (!(c in gotRows[i])) {
        fail(`${label}: row ${i}: no column ${c}`);
        return;
      }
      if (!same(gotRows[i][c], wantRows[i][c])) {
        fail(`${label}: row ${i}, column ${c}: reader ${gotRows[i][c]} (${typeof gotRows[i][c]}), export ${wantRows[i][c]}`);
        return;
      }
    }
  }
};

const tables = ['runs', 'trajectories', 'clones', 'events', 'ctdna', 'genotypes'];
// The tables of virtual trial patients, read from a trial run.
const trialTables = ['patients', 'lesions', 'scans', 'clones', 'genotypes'];
// Settings that give rows in every table within seconds: a small tumour,
// a high mutation rate, ctDNA shed at 300x so draws see mutations.
const small = ['-s', 'rezatapopt-continuous-lesion', '-n', '12', '--seed', '3', '-q', '--set', 'detection.size=1e6', '--set', 'mutation.rate=1e-7',
  '--set', 'observe.ctdna.shed=0.042', '--set', 'observe.ctdna.record_min_vaf=0'];

// 1. DuckDB reads a run in Parquet (zstd and lz4).
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const query = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJS();
const quote = (p) => "'" + p.replaceAll("'", "''") + "'";

for (const codec of ['zstd', 'lz4']) {
  const dir = 'run-parquet-' + codec;
  p53evo('run', ...small, '--format', 'parquet', '--compression', codec, '-o', dir);
  for (const t of tables) {
    const file = path.join(work, dir, t + '.parquet');
    // A single file is read in its row order, which is the export's.
    const got = await query(`SELECT * FROM read_parquet(${quote(file)})`);
    compare(`duckdb ${dir}/${t}.parquet`, got, exportRows(dir, t));
  }
}
// Virtual trial patients: the patient tables, the clones' lesion column and
// the genotypes summed over lesions, read by DuckDB as exported.
p53evo('run', '-s', 'trial-rezatapopt-2000', '-n', '4', '--seed', '3', '-q', '--format', 'parquet', '-o', 'trial-parquet');
for (const t of trialTables) {
  const file = path.join(work, 'trial-parquet', t + '.parquet');
  const got = await query(`SELECT * FROM read_parquet(${quote(file)})`);
  const want = exportRows('trial-parquet', t);
  if (want.length === 0) fail(`trial-parquet/${t}: no rows: the check proves nothing`);
  compare(`duckdb trial-parquet/${t}.parquet`, got, want);
}
// The stream column is UBIGINT: every digit of a seed above 2^63 survives.
{
  const got = await query(`SELECT typeof(stream) AS t FROM read_parquet(${quote(path.join(work, 'run-parquet-zstd', 'runs.parquet'))}) LIMIT 1`);
  if (got[0].t !== 'UBIGINT') fail(`duckdb: runs.stream is ${got[0].t}, want UBIGINT`);
}

// The CSV export quotes stream; DuckDB's sniffer still reads digits as a
// number, so the documented read types the column: every digit survives.
{
  fs.writeFileSync(path.join(work, 'runs.csv'), p53evo('export', 'run-parquet-zstd', '--table', 'runs'));
  const got = await query(`SELECT stream FROM read_csv(${quote(path.join(work, 'runs.csv'))}, types = {'stream': 'UBIGINT'})`);
  compare('duckdb read_csv of export --table runs (stream as UBIGINT)', got, exportRows('run-parquet-zstd', 'runs'), ['stream']);
  if (!got.some((r) => r.stream >= 1n << 53n)) fail('no stream above 2^53 in the CSV check: it proves nothing');
}

// 2. A sweep in Parquet, merged, read with Hive partitioning and joined
// with its points table, compared with `p53evo export SWEEPDIR`.
fs.writeFileSync(path.join(work, 'sweep.yaml'), `name: readers
base: rezatapopt-continuous-lesion
seed: 9
replicates: 4
batch: 2
set: {detection.size: 1e5, mutation.rate: 1e-7}
axes:
  - {path: "treatment.phases[0].doses.rezatapopt", values: [1150, 2000]}
  - {path: growth.death, values: [0.12, 0.13]}
`);
p53evo('sweep', 'run', 'sweep.yaml', '--out', 'sweep-out', '--format', 'parquet', '-q');
p53evo('sweep', 'merge', 'sweep-out');
{
  const glob = path.join(work, 'sweep-out', 'point=*', 'runs.parquet');
  const points = path.join(work, 'sweep-out', 'points.parquet');
  const types = await query(`SELECT DISTINCT typeof(point) AS t FROM read_parquet(${quote(glob)}, hive_partitioning = true)`);
  if (types.length !== 1 || types[0].t !== 'VARCHAR') fail(`duckdb: hive column point typed ${JSON.stringify(types)}, want VARCHAR`);
  for (const t of ['runs', 'genotypes']) {
    const g = path.join(work, 'sweep-out', 'point=*', t + '.parquet');
    const got = await query(`SELECT * FROM read_parquet(${quote(g)}, hive_partitioning = true, file_row_number = true) AS r JOIN read_parquet(${quote(points)}) AS p USING (point) ORDER BY "index", file_row_number`);
    const want = exportRows('sweep-out', t);
    compare(`duckdb sweep point=*/${t}.parquet joined with points.parquet`, got, want);
  }
}

// 3. apache-arrow JS reads the IPC tables: zstd through fzstd (the
// decompressed bytes copied to a fresh, aligned buffer), and uncompressed
// without any codec.
compressionRegistry.set(CompressionType.ZSTD, {
  decode(data) {
    const out = decompress(data);
    const copy = new Uint8Array(out.length);
    copy.set(out);
    return copy;
  },
});
const units = { ttp: 'days', final_ta_loss: 'cells', attempts: 'count', replicate: '' };
p53evo('run', '-s', 'trial-rezatapopt-2000', '-n', '4', '--seed', '3', '-q', '--format', 'arrow', '--compression', 'zstd', '-o', 'trial-arrow');
for (const [dir, ts] of [['run-arrow-zstd', tables], ['run-arrow-none', tables], ['trial-arrow', trialTables]]) {
  if (dir.startsWith('run-')) p53evo('run', ...small, '--format', 'arrow', '--compression', dir.slice(10), '-o', dir);
  for (const t of ts) {
    const tbl = tableFromIPC(fs.readFileSync(path.join(work, dir, t + '.arrow')));
    const names = tbl.schema.fields.map((f) => f.name);
    const got = tbl.toArray().map((r) => {
      const o = {};
      for (const n of names) o[n] = r[n];
      return o;
    });
    compare(`apache-arrow ${dir}/${t}.arrow`, got, exportRows(dir, t));
    if (t === 'runs') {
      for (const [name, unit] of Object.entries(units)) {
        const f = tbl.schema.fields.find((x) => x.name === name);
        const u = f?.metadata.get('unit');
        if (u !== unit) fail(`apache-arrow ${dir}/runs.arrow: ${name} unit ${u}, want ${unit}`);
      }
    }
  }
}

if (failures > 0) {
  console.error(`readers: ${failures} failures (${checked} values compared)`);
  process.exit(1);
}
console.log(`readers: DuckDB (Parquet run and Hive sweep) and apache-arrow JS (IPC, zstd and none) agree with p53evo export on ${checked} values`);
