import { readFileSync } from 'node:fs'
import type { SourceAdapter, SourceAdapterDefinition } from '../src/index.js'
import type { SftpSourceConfig } from '../src/generated/adapters/sftp-source.js'
import type { Resolved } from '../src/config/env-refs.js'
import { schemaPath } from '../src/paths.js'
import { fileSource, ingestOptions } from './file-ingest/file-source.js'
import { SftpConnection } from './sftp/sftp-connection.js'
import { sftpStore } from './sftp/sftp-store.js'
import { retryingPull } from './sftp/retry-pull.js'

type Config = Resolved<SftpSourceConfig>

/**
 * Source adapter `sftp`: polls a drop directory on an SFTP server (ssh2-sftp-client, one
 * connection per agency, host key pinned by fingerprint) and ingests complete files with
 * the shared file-ingest logic — see adapters/README.md.
 */
export const sftpSource: SourceAdapterDefinition<Config> = {
  role: 'source',
  kind: 'sftp',
  description: 'export files dropped on an SFTP server (CSV, JSON, NDJSON, XML)',
  configSchema: JSON.parse(readFileSync(schemaPath('adapters/sftp-source.schema.json'), 'utf8')) as Record<string, unknown>,
  create (config, context): SourceAdapter {
    const port = config.port ?? 22
    const where = `sftp://${config.host}:${port}${config.directory}`
    const connection = new SftpConnection({
      host: config.host,
      port,
      username: config.username,
      hostKeyFingerprint: config.hostKeyFingerprint,
      timeoutMs: config.timeoutMs ?? 15000,
      ...(config.password === undefined ? {} : { password: config.password }),
      ...(config.privateKeyFile === undefined ? {} : { privateKeyFile: config.privateKeyFile }),
      ...(config.passphrase === undefined ? {} : { passphrase: config.passphrase }),
    }, `agency ${context.name}: ${where}`, context.logger)
    return fileSource('sftp', sftpStore(connection, config.directory, where), ingestOptions(config), context, retryingPull(config.retries ?? 2))
  },
}
