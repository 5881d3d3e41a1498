// Runs every statement of README.md's ```sql blocks in DuckDB
// (@duckdb/node-api from test/readers), in the directory where
// test/readme/run.sh ran the README's commands. Exit 1 on the first error.
// Usage: node sql.mjs README.md DIR
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [readme, dir] = process.argv.slice(2);
const blocks = [...fs.readFileSync(readme, 'utf8').matchAll(/^```sql\n([\s\S]*?)^```/gm)].map((m) => m[1]);
const statements = blocks
  .flatMap((b) => b.split(/;\s*$/m))
  .map((s) => s.split('\n').filter((l) => !/^\s*--/.test(l)).join('\n').trim())
  .filter((s) => s !== '');
if (statements.length === 0) {
  console.error('test-readme: no ```sql statements in ' + readme);
  process.exit(1);
}
process.chdir(dir);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
for (const sql of statements) {
  try {
    const rows = (await con.runAndReadAll(sql)).getRowObjectsJS();
    if (rows.length === 0) throw new Error('no rows');
    console.log(`test-readme: duckdb: ${sql.split('\n')[0]} ... ${rows.length} rows`);
  } catch (e) {
    console.error(`test-readme: FAILED in DuckDB: ${sql}\n${e.message}`);
    process.exit(1);
  }
}
