import { randomBytes } from 'node:crypto'
import pg from 'pg'
import mysql from 'mysql2/promise'

/** The machine's PostgreSQL (trust auth) and MariaDB (root, no password), as the tests use them. */
export const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres', database: process.env.PGDATABASE ?? 'test' }
export const MY = { host: process.env.MYSQL_HOST ?? '127.0.0.1', port: Number(process.env.MYSQL_PORT ?? 3306), user: process.env.MYSQL_USER ?? 'root', database: process.env.MYSQL_DATABASE ?? 'test' }

type Teardown = { teardown: (fn: () => Promise<void> | void) => void }

/** A PostgreSQL schema of this test's own (dropped with everything in it at teardown) and a client to fill it. */
export async function postgresSchema (t: Teardown, label: string): Promise<{ schema: string; client: pg.Client }> {
  const schema = `cbt_${label}_${process.pid}_${randomBytes(3).toString('hex')}`.replace(/[^a-z0-9_]/g, '_')
  const client = new pg.Client(PG)
  await client.connect().catch((err: unknown) => { throw new Error(`PostgreSQL is not reachable at ${PG.host}:${PG.port} (${String(err)}); the tests need it (user ${PG.user}, database ${PG.database})`) })
  await client.query(`CREATE SCHEMA ${pg.escapeIdentifier(schema)}`)
  t.teardown(async () => {
    await client.query(`DROP SCHEMA ${pg.escapeIdentifier(schema)} CASCADE`).catch(() => undefined)
    await client.end()
  })
  return { schema, client }
}

/** A MariaDB/MySQL database of this test's own (dropped at teardown) and a connection into it. */
export async function mysqlDatabase (t: Teardown, label: string): Promise<{ database: string; connection: mysql.Connection }> {
  const database = `cbt_${label}_${process.pid}_${randomBytes(3).toString('hex')}`.replace(/[^a-z0-9_]/g, '_')
  const admin = await mysql.createConnection({ host: MY.host, port: MY.port, user: MY.user }).catch((err: unknown) => { throw new Error(`MariaDB/MySQL is not reachable at ${MY.host}:${MY.port} (${String(err)}); the tests need it (user ${MY.user})`) })
  await admin.query(`CREATE DATABASE ${mysql.escapeId(database)} CHARACTER SET utf8mb4`)
  await admin.end()
  const connection = await mysql.createConnection({ host: MY.host, port: MY.port, user: MY.user, database, dateStrings: true, charset: 'utf8mb4' })
  t.teardown(async () => {
    await connection.query(`DROP DATABASE ${mysql.escapeId(database)}`).catch(() => undefined)
    await connection.end()
  })
  return { database, connection }
}

/** A loopback port nothing listens on (for "unreachable" tests). */
export const CLOSED_PORT = 1
