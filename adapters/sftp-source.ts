import type { SftpSourceConfig } from '../src/generated/defaulted/adapters/sftp-source.js'
import type { Resolved } from '../src/config/env-refs.js'
import { defineSourceAdapter } from './define-adapter.js'
import { fileSource, ingestOptions } from './file-ingest/file-source.js'
import { SftpConnection, sftpEndpoint } from './sftp/sftp-connection.js'
import { sftpStore } from './sftp/sftp-store.js'
import { retryingPull } from './sftp/retry-pull.js'

type Config = Resolved<SftpSourceConfig>

/**
 * Source adapter `sftp`: polls a drop directory on an SFTP server (ssh2-sftp-client, one
 * connection per agency, host key pinned by fingerprint) and ingests complete files with
 * the shared file-ingest logic — see adapters/README.md.
 */
export const sftpSource = defineSourceAdapter<Config>({
  kind: 'sftp',
  description: 'export files dropped on an SFTP server (CSV, JSON, NDJSON, XML)',
  schemaFile: 'sftp-source.schema.json',
  create (config, context) {
    const where = `sftp://${config.host}:${config.port}${config.directory}`
    const connection = new SftpConnection(sftpEndpoint(config), `agency ${context.name}: ${where}`, context.logger)
    return fileSource('sftp', sftpStore(connection, config.directory, where), ingestOptions(config), context, retryingPull(config.retries))
  },
})
