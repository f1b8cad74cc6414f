/**
 * What the cursor's look-back costs (issue 13): on the 20,000-row case — a table of 20,000
 * cases as an agency's DBA sets it up (gxsj a local Beijing time at second precision) — how
 * many rows a pull reads again, with no new writes, after a pull that read everything, for
 * several `overlapSeconds` (settle 5 s), in three shapes of data:
 *  - live: written at the rate of issue 13's live writers (one every 150 ms, 6.7 rows/s),
 *    the newest just now;
 *  - year: a bureau's year (one every 26 minutes), the newest just now;
 *  - bulk: all 20,000 stamped within the last 60 s (an import just made).
 * Then, through the hub's real pipeline (map, validate, fingerprint, ledger comparison; real
 * PostgreSQL, Redis, platform simulator), what one such pull costs with the default.
 * Run alone: npx tsx test/bench/cursor-overlap.ts (needs the test PostgreSQL and MariaDB).
 */
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import mysql from 'mysql2/promise'
import { adapterConfigOf, loadConfig } from '../../src/config/load-config.js'
import type { SourceAdapter } from '../../src/contracts/source-adapter.js'
import { startHub } from '../../src/hub.js'
import { silentLogger } from '../../src/logging/logger.js'
import { projectRoot } from '../../src/paths.js'
import { builtInRegistry } from '../../adapters/index.js'
import { sqlPostgresSource } from '../../adapters/sql-postgres.js'
import { sqlMysqlSource } from '../../adapters/sql-mysql.js'
import { startPlatformSimulator } from '../../fixtures/platform-sim/index.js'
import { URBAN_HEADER, urbanRow } from '../../fixtures/hostile/catalogue.js'
import { MY, PG } from '../helpers/sql.js'
import { deleteKeys, TEST_REDIS_URL } from '../helpers/redis.js'
import { beijing, cursorContext, pullOnce } from '../helpers/cursor-kit.js'
import { machineInfo, printTable, writeResult } from './bench-kit.js'

const ROWS = 20_000
const OVERLAPS = [0, 30, 60, 120, 300] as const
/** Seconds between consecutive rows, newest first at now. */
const SHAPES = { live: 0.15, year: 365 * 86_400 / ROWS, bulk: 60 / ROWS } as const
type Shape = keyof typeof SHAPES
const COLUMNS = URBAN_HEADER.split(',').filter(c => c !== 'AJBH')
const VALUES = (() => { const row = urbanRow('X').split(','); return COLUMNS.map(c => row[URBAN_HEADER.split(',').indexOf(c)] ?? '') })()

async function fillPostgres (client: pg.Client, schema: string): Promise<void> {
  const now = beijing(Date.now())
  for (const [shape, gap] of Object.entries(SHAPES)) {
    const table = `${schema}.${shape}`
    await client.query(`CREATE TABLE ${table} ("AJBH" text COLLATE "C" PRIMARY KEY, "GXSJ" timestamp(0) NOT NULL, ${COLUMNS.map(c => `"${c}" text`).join(', ')})`)
    await client.query(`INSERT INTO ${table} SELECT '沛城管罚〔2023〕' || lpad(i::text, 5, '0') || '号', date_trunc('second', $1::timestamp - (${ROWS} - i) * make_interval(secs => $2)), ${COLUMNS.map((_, k) => `$${k + 3}`).join(', ')} FROM generate_series(1, ${ROWS}) AS i`, [now, gap, ...VALUES])
    await client.query(`CREATE INDEX ON ${table} ("GXSJ", "AJBH")`)
  }
}

async function fillMysql (connection: mysql.Connection): Promise<void> {
  const now = beijing(Date.now())
  for (const [shape, gap] of Object.entries(SHAPES)) {
    await connection.query(`CREATE TABLE ${shape} (AJBH varchar(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY, GXSJ datetime NOT NULL, ay varchar(20), KEY (GXSJ, AJBH)) ENGINE=InnoDB CHARACTER SET utf8mb4`)
    await connection.query(`INSERT INTO ${shape} SELECT CONCAT('沛城管罚〔2023〕', LPAD(seq, 5, '0'), '号'), DATE_SUB(?, INTERVAL ROUND((${ROWS} - seq) * ? * 1000000) MICROSECOND), '占道经营' FROM seq_1_to_${ROWS}`, [now, gap])
  }
}

/** Rows the second of two back-to-back pulls reads: all of them again, since nothing was written between. */
async function reread (create: (overlapSeconds: number) => SourceAdapter, overlapSeconds: number): Promise<{ first: number; again: number; ms: number }> {
  const source = create(overlapSeconds)
  try {
    const first = await pullOnce(source, null, r => String(r.AJBH))
    const started = performance.now()
    const again = await pullOnce(source, first.cursor, r => String(r.AJBH))
    return { first: first.ids.length, again: again.ids.length, ms: Math.round(performance.now() - started) }
  } finally {
    await source.close()
  }
}

export async function benchCursorOverlap (): Promise<Record<string, unknown>> {
  const schema = `cbbench_cursor_${process.pid}`
  const database = `cbbench_cursor_${process.pid}`
  const client = new pg.Client(PG)
  await client.connect()
  await client.query(`CREATE SCHEMA ${schema}`)
  const admin = await mysql.createConnection({ host: MY.host, port: MY.port, user: MY.user })
  await admin.query(`CREATE DATABASE ${database} CHARACTER SET utf8mb4`)
  await admin.query(`USE ${database}`)
  const prefix = `cbbench-cursor-${process.pid}`
  const dir = mkdtempSync(join(tmpdir(), 'cbbench-cursor-'))
  try {
    await fillPostgres(client, schema)
    await fillMysql(admin)
    const adapterRows: Record<string, Record<Shape, Record<number, number>>> = { postgres: { live: {}, year: {}, bulk: {} }, mariadb: { live: {}, year: {}, bulk: {} } }
    const table: (string | number)[][] = [['source', 'data', ...OVERLAPS.map(o => `overlap ${o} s`)]]
    for (const shape of Object.keys(SHAPES) as Shape[]) {
      const pgSource = (overlapSeconds: number): SourceAdapter => sqlPostgresSource.create(adapterConfigOf(sqlPostgresSource, { kind: 'sql-postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, relation: `${schema}.${shape}`, updatedAtColumn: 'GXSJ', idColumn: 'AJBH', overlapSeconds }), cursorContext('bench'))
      const mySource = (overlapSeconds: number): SourceAdapter => sqlMysqlSource.create(adapterConfigOf(sqlMysqlSource, { kind: 'sql-mysql', host: MY.host, port: MY.port, database, user: MY.user, relation: shape, updatedAtColumn: 'GXSJ', idColumn: 'AJBH', overlapSeconds }), cursorContext('bench'))
      for (const [name, create] of [['postgres', pgSource], ['mariadb', mySource]] as const) {
        const row: (string | number)[] = [name, shape]
        for (const overlap of OVERLAPS) {
          const { first, again } = await reread(create, overlap)
          if (first !== ROWS) throw new Error(`${name} ${shape}: the first pull read ${first} rows, not ${ROWS}`)
          adapterRows[name]![shape][overlap] = again
          row.push(again)
        }
        table.push(row)
      }
    }
    printTable(`Rows read again by a pull right after one that read all ${ROWS.toLocaleString('en-US')} (settle 5 s)`, table)

    // The same through the hub's pipeline, default look-back, the live shape: what a re-read costs.
    const platform = await startPlatformSimulator({ port: 0, tokens: ['bench'] })
    const urban = readFileSync(join(projectRoot, 'fixtures/exports/urban-management-gbk-csv/mapping.yaml'), 'utf8')
    const mapping = join(dir, 'bench-cursor.yaml')
    writeFileSync(mapping, urban.replace(/^agency: .*$/m, 'agency: bench-cursor').replace(/^fields:$/m, 'fields:\n  /sourceUpdatedAt: { from: GXSJ, date: timestamp }'))
    const config = join(dir, 'hub.yaml')
    writeFileSync(config, JSON.stringify({
      redis: { url: { env: 'TEST_REDIS_URL' }, keyPrefix: prefix, requirePersistence: false },
      admin: { host: '127.0.0.1', port: 0 },
      targets: { platform: { kind: 'http-batch', baseUrl: platform.url, token: { env: 'BENCH_TOKEN' } } },
      agencies: [{ id: 'bench-cursor', mapping, target: 'platform', schedule: '0 0 0 1 1 *', source: { kind: 'sql-postgres', host: PG.host, port: PG.port, database: PG.database, user: PG.user, relation: `${schema}.live`, updatedAtColumn: 'GXSJ', idColumn: 'AJBH' } }],
    }))
    const hub = await startHub({ config: await loadConfig(config, builtInRegistry(), { ...process.env, TEST_REDIS_URL, BENCH_TOKEN: 'bench' }), registry: builtInRegistry(), logger: silentLogger(), schedule: false })
    let pipeline: Record<string, number>
    try {
      const t0 = performance.now()
      const first = await hub.pullNow('bench-cursor')
      const firstMs = performance.now() - t0
      const t1 = performance.now()
      const again = await hub.pullNow('bench-cursor')
      const againMs = performance.now() - t1
      if (first?.records !== ROWS || again?.changed !== 0) throw new Error(`unexpected pulls: ${JSON.stringify({ first, again })}`)
      pipeline = { firstPullRecords: first.records, firstPullMs: Math.round(firstMs), rereadRecords: again.records, rereadPullMs: Math.round(againMs), rereadChanged: again.changed, perRereadRowUs: Math.round(againMs * 1000 / Math.max(1, again.records)) }
    } finally {
      await hub.close()
      await platform.close()
    }
    printTable('Hub pipeline, PostgreSQL, live shape, default look-back (overlap 120 s, settle 5 s)', [
      ['pull', 'records', 'ms', 'changed'],
      ['first (everything)', pipeline.firstPullRecords!, pipeline.firstPullMs!, ROWS],
      ['next, nothing new', pipeline.rereadRecords!, pipeline.rereadPullMs!, pipeline.rereadChanged!],
    ])
    return { rows: ROWS, settleSeconds: 5, secondsBetweenRows: SHAPES, rereadRowsByOverlap: adapterRows, hubPipeline: pipeline }
  } finally {
    await client.query(`DROP SCHEMA ${schema} CASCADE`).catch(() => undefined)
    await client.end()
    await admin.query(`DROP DATABASE ${database}`).catch(() => undefined)
    await admin.end()
    await deleteKeys(prefix)
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchCursorOverlap()
  const file = writeResult('cursor-overlap', { machine: await machineInfo(TEST_REDIS_URL), ...result })
  process.stdout.write(`\nwrote ${file}\n`)
}
