'use strict';
// A scripted node-postgres session through the pgml sidecar.
// Usage (from this folder): node pg_session.js PORT EXPECTED_PGML_VERSION
// Every step checks what came back; any mismatch exits non-zero. The last line printed on
// success is "node-postgres session OK".
const assert = require('node:assert/strict');
const { Client } = require('pg');

const port = Number(process.argv[2]);
const expectedVersion = process.argv[3];
const table = `node_items_${process.pid}`;

function ok(what) {
  console.log(`ok: ${what}`);
}

async function expectError(client, sql, values, sqlState, what) {
  try {
    await client.query(sql, values);
  } catch (e) {
    assert.equal(e.code, sqlState, `${what}: ${e.message}`);
    ok(what);
    return;
  }
  throw new Error(`${what}: no error for ${sql}`);
}

async function main() {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres',
    application_name: 'node-pg-session', connectionTimeoutMillis: 10000 });
  await client.connect();
  try {
    await client.query(`CREATE TABLE ${table} (id int PRIMARY KEY, name text, qty int, meta jsonb)`);

    // parameterized inserts (extended protocol: Parse/Bind/Execute/Sync)
    const items = [[1, 'apple', 3, { color: 'red' }], [2, 'pear', null, null], [3, 'caf\u00e9', 7, { tags: ['a', 'b'] }]];
    for (const it of items) {
      const r = await client.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4)`, it);
      assert.equal(r.rowCount, 1);
    }
    ok('parameterized inserts');

    let r = await client.query(`SELECT id, name, qty, meta FROM ${table} ORDER BY id`);
    assert.deepEqual(r.rows.map((x) => [x.id, x.name, x.qty, x.meta]), items);
    assert.deepEqual(r.fields.map((f) => f.name), ['id', 'name', 'qty', 'meta']);
    ok('select all');

    // a named prepared statement, reused
    for (let i = 1; i <= 3; i++) {
      r = await client.query({ name: 'by_id', text: `SELECT name FROM ${table} WHERE id = $1`, values: [i] });
      assert.equal(r.rows[0].name, items[i - 1][1]);
    }
    ok('named prepared statement reused');

    // rows as arrays, multiple parameters of several types
    r = await client.query({ text: 'SELECT $1::int + $2::int AS sum, $3::text AS t, $4::bool AS b', values: [40, 2, 'x', true], rowMode: 'array' });
    assert.deepEqual(r.rows, [[42, 'x', true]]);
    ok('typed parameters');

    // transaction rolled back
    await client.query('BEGIN');
    await client.query(`INSERT INTO ${table} VALUES ($1, $2, $3, $4)`, [9, 'ghost', 1, null]);
    r = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
    assert.equal(r.rows[0].n, 4);
    await client.query('ROLLBACK');
    r = await client.query(`SELECT count(*)::int AS n FROM ${table}`);
    assert.equal(r.rows[0].n, 3);
    ok('transaction rollback');

    // errors, then good queries on the same connection
    await expectError(client, 'SELECT 1/0', [], '22012', 'division by zero (simple)');
    await expectError(client, 'SELECT $1::int / 0', [1], '22012', 'division by zero (extended)');
    await expectError(client, `INSERT INTO ${table} VALUES ($1, $2, $3, $4)`, [1, 'dup', 0, null], '23505', 'unique violation');
    r = await client.query('SELECT $1::text AS alive', ['yes']);
    assert.equal(r.rows[0].alive, 'yes');
    ok('good query after errors');

    // an error inside a transaction
    await client.query('BEGIN');
    await expectError(client, 'SELECT no_such_column', [], '42703', 'error in transaction');
    await expectError(client, 'SELECT 1', [], '25P02', 'aborted transaction');
    await client.query('ROLLBACK');
    ok('rollback after error');

    // a multi-statement simple query
    r = await client.query(`SELECT 1 AS a; SELECT 'two' AS b`);
    assert.equal(r.length, 2);
    assert.equal(r[1].rows[0].b, 'two');
    ok('multi-statement simple query');

    // the sidecar's own function, in the simple and the extended protocol
    r = await client.query('SELECT pgml.version()');
    assert.equal(r.rows[0].version, expectedVersion);
    ok('pgml.version() simple');
    r = await client.query({ name: 'version_stmt', text: 'SELECT pgml.version() AS v' });
    assert.equal(r.rows[0].v, expectedVersion);
    r = await client.query({ name: 'version_stmt', text: 'SELECT pgml.version() AS v' });
    assert.equal(r.rows[0].v, expectedVersion);
    ok('pgml.version() extended, named statement reused');
    await client.query('BEGIN');
    r = await client.query('SELECT pgml.version()');
    assert.equal(r.rows[0].version, expectedVersion);
    r = await client.query(`SELECT count(*)::int AS n FROM ${table} WHERE id > $1`, [1]);
    assert.equal(r.rows[0].n, 2);
    await client.query('COMMIT');
    ok('pgml.version() inside a transaction');

    // predictions anywhere in a statement: fields named as PostgreSQL names them (issue 15)
    const lin = `${table}_lin`;
    await client.query(`CREATE TABLE ${lin} AS SELECT g::real AS x, (2 * g)::real AS y FROM generate_series(1, 8) g`);
    await client.query(`SELECT * FROM pgml.train('${lin}', 'regression', '${lin}', 'y', 'linear')`);
    r = await client.query(`SELECT x, pgml.predict('${lin}', ARRAY[x]) FROM ${lin} ORDER BY x LIMIT 2`);
    assert.deepEqual(r.fields.map((f) => f.name), ['x', 'predict']);
    assert.equal(r.fields[1].dataTypeID, 700);
    const general = `SELECT x::int, pgml.predict('${lin}', ARRAY[x])::int AS doubled FROM ${lin} `
      + `WHERE pgml.predict('${lin}', ARRAY[x]) > $1 ORDER BY pgml.predict('${lin}', ARRAY[x]) DESC`;
    r = await client.query(general, [11]);
    assert.deepEqual(r.rows, [{ x: 8, doubled: 16 }, { x: 7, doubled: 14 }, { x: 6, doubled: 12 }]);
    assert.deepEqual(r.fields.map((f) => f.name), ['x', 'doubled']);
    r = await client.query({ name: 'general_stmt', text: general, values: [13] });
    assert.deepEqual(r.rows, [{ x: 8, doubled: 16 }, { x: 7, doubled: 14 }]);
    r = await client.query(`SELECT pgml.predict('${lin}', ARRAY[x]) * 1, pgml.predict('${lin}', ARRAY[x])::int FROM ${lin} LIMIT 1`);
    assert.deepEqual(r.fields.map((f) => f.name), ['?column?', 'predict']);
    await client.query(`DROP TABLE ${lin}`);
    ok('predictions anywhere, fields named as PostgreSQL names them');

    await client.query(`DROP TABLE ${table}`);
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
    await client.end();
  }
  console.log('node-postgres session OK');
}

main().catch((e) => {
  console.error(`MISMATCH or failure: ${e.stack || e}`);
  process.exit(1);
});
