import { readFileSync } from 'node:fs'
import type { SourceAdapter, SourceAdapterDefinition } from '../src/index.js'
import type { DirDropSourceConfig } from '../src/generated/adapters/dir-drop-source.js'
import { schemaPath } from '../src/paths.js'
import { localDirStore } from './file-ingest/local-dir-store.js'
import { fileSource, ingestOptions } from './file-ingest/file-source.js'

/**
 * Source adapter `dir-drop`: export files in a local or NFS-mounted directory, handled
 * exactly as the `sftp` source handles them (completion by marker or stable size, formats
 * and encodings from the mapping, processed/ and rejected/, content never ingested twice).
 */
export const dirDropSource: SourceAdapterDefinition<DirDropSourceConfig> = {
  role: 'source',
  kind: 'dir-drop',
  description: 'export files dropped into a local or NFS-mounted directory',
  configSchema: JSON.parse(readFileSync(schemaPath('adapters/dir-drop-source.schema.json'), 'utf8')) as Record<string, unknown>,
  create (config, context): SourceAdapter {
    return fileSource('dir-drop', localDirStore(config.directory), ingestOptions(config), context)
  },
}
