// generated from schemas/adapters/dir-drop-source.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * Source adapter `dir-drop`: export files the agency drops into a local or NFS-mounted directory (the same file handling as `sftp`).
 */
export interface DirDropSourceConfig {
  kind: 'dir-drop'
  /**
   * The drop directory, absolute or relative to the hub's working directory.
   */
  directory: string
  /**
   * When a file is complete and may be taken: "marker" — once a done-marker (see markerSuffixes) exists beside it; "stable" — once its size and modification time are unchanged across two polls (for agencies that write no marker).
   */
  completion: 'stable' | 'marker'
  /**
   * Done-marker suffixes: "cases.csv.ok" or "cases.ok" marks "cases.csv" complete. Markers move with their file.
   *
   * @minItems 1
   */
  markerSuffixes: string[]
  /**
   * Extensions of data files; other files are left alone. Hidden files and .part/.tmp/.filepart uploads are never taken.
   *
   * @minItems 1
   */
  include: string[]
  /**
   * Subdirectory of the drop directory that ingested files are moved to.
   */
  processedDir: string
  /**
   * Subdirectory for files that cannot be read; each gets <name>.error.txt beside it.
   */
  rejectedDir: string
  /**
   * Records per page (each page is one ledger commit).
   */
  pageSize: number
  /**
   * Files taken per pull; the rest wait for the next pull.
   */
  maxFilesPerPull: number
  /**
   * How long the SHA-256 of an ingested file is remembered, so the same content dropped again (under any name) is not read again. An older file dropped again after that is read like a new one: unchanged cases are ledger no-ops, but a case changed since would get its old version delivered again — keep this longer than any agency would re-drop an old export. About 150 bytes of Redis per file.
   */
  contentRetentionDays: number
}
