import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import mysql from 'mysql2/promise'
import { URBAN_HEADER, urbanRow } from '../../fixtures/hostile/catalogue.js'
import { projectRoot } from '../../src/paths.js'
import { mysqlDatabase, postgresSchema } from './sql.js'
import type { tempDir } from './temp-files.js'

/** The urban-management export's columns other than the case number (AJBH), in order. */
export const URBAN_COLUMNS = URBAN_HEADER.split(',').filter(c => c !== 'AJBH')

/** The values of an urban row for `caseNumber`, in the order of {@link URBAN_COLUMNS}. */
export function urbanValues (caseNumber: string): string[] {
  const row = Object.fromEntries(URBAN_HEADER.split(',').map((k, i) => [k, urbanRow(caseNumber).split(',')[i] ?? '']))
  return URBAN_COLUMNS.map(c => row[c] ?? '')
}

/**
 * A `cases` table of urban rows keyed by AJBH and stamped in GXSJ (whole seconds) in a
 * PostgreSQL schema and a MariaDB database of the test's own (dropped at teardown), for
 * tests of the SQL sources with the urban mapping; `insert` writes one row into either.
 */
export async function urbanTables (t: Parameters<typeof postgresSchema>[0], label: string): Promise<{
  schema: string
  database: string
  insert: { postgres: (caseNumber: string, stamp: string) => Promise<void>; mysql: (caseNumber: string, stamp: string) => Promise<void> }
}> {
  const { schema, client } = await postgresSchema(t, label)
  const { database, connection } = await mysqlDatabase(t, label)
  const pgTable = `${pg.escapeIdentifier(schema)}.cases`
  await client.query(`CREATE TABLE ${pgTable} ("AJBH" text COLLATE "C" PRIMARY KEY, "GXSJ" timestamp(0) NOT NULL, ${URBAN_COLUMNS.map(c => `${pg.escapeIdentifier(c)} text`).join(', ')})`)
  await connection.query(`CREATE TABLE cases (AJBH varchar(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PRIMARY KEY, GXSJ datetime NOT NULL, ${URBAN_COLUMNS.map(c => `${mysql.escapeId(c)} varchar(200)`).join(', ')}) ENGINE=InnoDB CHARACTER SET utf8mb4`)
  return {
    schema,
    database,
    insert: {
      async postgres (caseNumber, stamp) { await client.query(`INSERT INTO ${pgTable} VALUES ($1, $2, ${URBAN_COLUMNS.map((_, i) => `$${i + 3}`).join(', ')})`, [caseNumber, stamp, ...urbanValues(caseNumber)]) },
      async mysql (caseNumber, stamp) { await connection.execute(`INSERT INTO cases VALUES (?, ?, ${URBAN_COLUMNS.map(() => '?').join(', ')})`, [caseNumber, stamp, ...urbanValues(caseNumber)]) },
    },
  }
}

/** The urban export's mapping for agency `id` with agency code `code`, written into `files`; `extraFields` are added to its fields. */
export function urbanMapping (files: ReturnType<typeof tempDir>, id: string, code: string, extraFields = ''): string {
  const urban = readFileSync(join(projectRoot, 'fixtures/exports/urban-management-gbk-csv/mapping.yaml'), 'utf8')
  return files.write(`${id}.yaml`, urban
    .replace(/^agency: .*$/m, `agency: ${id}`)
    .replace('"11320322014170932K"', `"${code}"`)
    .replace(/^fields:$/m, `fields:${extraFields}`))
}
