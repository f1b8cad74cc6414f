import type { DirDropSourceConfig } from '../src/generated/defaulted/adapters/dir-drop-source.js'
import { defineSourceAdapter } from './define-adapter.js'
import { localDirStore } from './file-ingest/local-dir-store.js'
import { fileSource, ingestOptions } from './file-ingest/file-source.js'

/**
 * Source adapter `dir-drop`: export files in a local or NFS-mounted directory, handled
 * exactly as the `sftp` source handles them (completion by marker or stable size, formats
 * and encodings from the mapping, processed/ and rejected/, content never ingested twice).
 */
export const dirDropSource = defineSourceAdapter<DirDropSourceConfig>({
  kind: 'dir-drop',
  description: 'export files dropped into a local or NFS-mounted directory',
  schemaFile: 'dir-drop-source.schema.json',
  create: (config, context) => fileSource('dir-drop', localDirStore(config.directory), ingestOptions(config), context),
})
