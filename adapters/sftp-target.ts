import { randomBytes } from 'node:crypto'
import { posix } from 'node:path'
import type { TargetAdapter, PushBatch, PushRecordResult } from '../src/index.js'
import type { SftpTargetConfig } from '../src/generated/defaulted/adapters/sftp-target.js'
import type { Resolved } from '../src/config/env-refs.js'
import { RemoteRefusedError, RemoteUnavailableError } from '../src/errors.js'
import { defineTargetAdapter } from './define-adapter.js'
import { SftpConnection, sftpEndpoint, type SftpSession } from './sftp/sftp-connection.js'
import { renameReplacing } from './sftp/rename.js'
import { batchFiles, readAcknowledgement } from './sftp/batch-file.js'

type Config = Resolved<SftpTargetConfig>

/**
 * Target adapter `sftp`: each batch becomes "<name>.ndjson" (or .json) in the platform's
 * inbox plus "<name>.manifest.json" (record count, bytes, SHA-256, case numbers). Both are
 * written under hidden temporary names and renamed into place (posix-rename where the
 * server has it), data first, manifest last — so a reader listing the inbox never sees a
 * partial file, and a batch is complete once its manifest exists. With
 * `acknowledgement.mode: file` the per-record results come from "<name>.ack.json";
 * otherwise the rename is the acknowledgement. Exchange format: adapters/README.md.
 */
export const sftpTarget = defineTargetAdapter<Config>({
  kind: 'sftp',
  description: 'batch files with manifests in an SFTP inbox of the platform',
  schemaFile: 'sftp-target.schema.json',
  create (config, context): TargetAdapter {
    const who = `platform target ${context.name} (sftp://${config.host}:${config.port}${config.directory})`
    const connection = new SftpConnection(sftpEndpoint(config), who, context.logger)
    const format = config.format
    // No default for the acknowledgement directory in the schema: it is the inbox's own.
    const ack = { ...config.acknowledgement, directory: config.acknowledgement.directory ?? config.directory }
    const inbox = (name: string): string => posix.join(config.directory, name)

    async function place (session: SftpSession, name: string, content: Buffer): Promise<void> {
      const temp = inbox(`.${name}.${randomBytes(4).toString('hex')}.part`)
      await session.put(content, temp)
      await renameReplacing(session, temp, inbox(name), context.logger)
    }

    async function readAck (name: string): Promise<string | undefined> {
      const path = posix.join(ack.directory, name)
      return await connection.run(`reading ${path}`, async s => (await s.exists(path)) === false ? undefined : (await s.get(path) as Buffer).toString('utf8'))
    }

    return {
      kind: 'sftp',
      async push (batch: PushBatch, signal: AbortSignal): Promise<readonly PushRecordResult[]> {
        const files = batchFiles(batch, format)
        if (ack.mode === 'rename') {
          await connection.run(`delivering ${files.dataName}`, async s => {
            await place(s, files.dataName, files.data)
            await place(s, files.manifestName, files.manifest)
          })
          const now = new Date().toISOString()
          return batch.cases.map(c => ({ caseNumber: c.caseNumber, status: 'accepted' as const, acknowledgedAt: now }))
        }
        // Acknowledgement files: a retry first looks for the answer, and does not deliver twice.
        const earlier = await readAck(files.ackName)
        if (earlier !== undefined) return readAcknowledgement(who, earlier, batch)
        await connection.run(`delivering ${files.dataName}`, async s => {
          if ((await s.exists(inbox(files.manifestName))) !== false) return
          await place(s, files.dataName, files.data)
          await place(s, files.manifestName, files.manifest)
        })
        const deadline = Date.now() + ack.waitMs
        for (;;) {
          const text = await readAck(files.ackName)
          if (text !== undefined) return readAcknowledgement(who, text, batch)
          if (signal.aborted) throw new RemoteUnavailableError(`${who}: aborted while waiting for ${files.ackName}`)
          if (Date.now() >= deadline) throw new RemoteUnavailableError(`${who}: batch ${files.dataName} delivered, no acknowledgement after ${ack.waitMs} ms; the retry will look again`)
          await new Promise(resolve => setTimeout(resolve, ack.pollMs))
        }
      },
      async check (): Promise<void> {
        // A stat of the inbox, queued behind any delivery on the connection (the probe's time limit covers the wait).
        const found = await connection.run(`checking ${config.directory}`, async s => await s.exists(config.directory))
        if (found !== 'd') throw new RemoteRefusedError(`${who}: ${found === false ? 'the inbox directory does not exist' : 'the inbox is not a directory'}`)
      },
      async close () {
        await connection.close()
      },
    }
  },
})
