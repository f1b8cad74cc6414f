import { createHash } from 'node:crypto'
import type { PushBatch, PushRecordResult } from '../../src/contracts/target-adapter.js'
import { readRecordResults } from '../record-results.js'

/** What the platform reads beside each batch file: the batch is complete and intact when this exists and matches. */
export interface BatchManifest {
  readonly batch: string
  readonly format: 'ndjson' | 'json'
  readonly agencyCode: string
  readonly idempotencyKey: string
  readonly records: number
  readonly bytes: number
  readonly sha256: string
  readonly caseNumbers: readonly string[]
  /** The version sequence of each case (same order as `caseNumbers`): a collector that keeps the larger one never lets an older version overwrite a newer. */
  readonly sequences: readonly number[]
  readonly createdAt: string
}

export interface BatchFiles {
  /** Base name shared by the batch's files: "<agency code>-<first 24 hex of SHA-256(idempotency key)>". */
  readonly name: string
  readonly dataName: string
  readonly manifestName: string
  readonly ackName: string
  readonly data: Buffer
  readonly manifest: Buffer
}

/**
 * The exchange format of the `sftp` target (documented in adapters/README.md). File names
 * derive from the idempotency key, so a retried batch has the same names and replaces
 * itself instead of adding a second copy.
 */
export function batchFiles (batch: PushBatch, format: 'ndjson' | 'json'): BatchFiles {
  const code = batch.agencyCode.replace(/[^A-Za-z0-9-]/g, '_') || 'agency'
  const name = `${code}-${createHash('sha256').update(batch.idempotencyKey).digest('hex').slice(0, 24)}`
  const dataName = `${name}.${format}`
  const data = Buffer.from(format === 'ndjson'
    ? batch.cases.map(c => JSON.stringify(c)).join('\n') + (batch.cases.length > 0 ? '\n' : '')
    : JSON.stringify({ agencyCode: batch.agencyCode, idempotencyKey: batch.idempotencyKey, cases: batch.cases }))
  const manifest: BatchManifest = {
    batch: dataName,
    format,
    agencyCode: batch.agencyCode,
    idempotencyKey: batch.idempotencyKey,
    records: batch.cases.length,
    bytes: data.length,
    sha256: createHash('sha256').update(data).digest('hex'),
    caseNumbers: batch.cases.map(c => c.caseNumber),
    sequences: batch.sequences,
    createdAt: new Date().toISOString(),
  }
  return { name, dataName, manifestName: `${name}.manifest.json`, ackName: `${name}.ack.json`, data, manifest: Buffer.from(JSON.stringify(manifest, null, 2) + '\n') }
}

/**
 * Per-record results from the platform's "<name>.ack.json", in the format of
 * adapters/record-results.ts. A case of the batch the file does not mention is retryable.
 */
export function readAcknowledgement (who: string, text: string, batch: PushBatch): PushRecordResult[] {
  const byCase = new Map(readRecordResults(`${who}: the acknowledgement file`, text).map(r => [r.caseNumber, r]))
  return batch.cases.map(c => byCase.get(c.caseNumber) ?? { caseNumber: c.caseNumber, status: 'retryable', reason: 'not in the acknowledgement file' })
}
