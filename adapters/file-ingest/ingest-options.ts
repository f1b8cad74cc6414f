/**
 * The file-drop keys shared by every file source (`sftp`, `dir-drop`); each adapter's
 * schema declares them with the same defaults (a test keeps the schemas in step).
 */
export interface FileIngestOptions {
  /** "marker": a file is complete when its done-marker exists; "stable": when its size and mtime did not change since the previous poll. */
  readonly completion: 'marker' | 'stable'
  readonly markerSuffixes: readonly string[]
  /** Extensions of data files (".csv", ".json", ".ndjson", ".jsonl", ".xml"). */
  readonly include: readonly string[]
  /** Subdirectories (of the drop directory) for ingested and rejected files. */
  readonly processedDir: string
  readonly rejectedDir: string
  /** Records per page (per ledger commit). */
  readonly pageSize: number
  /** Files taken per pull; the rest wait for the next pull. */
  readonly maxFilesPerPull: number
  /** Days the content hash of an ingested file is remembered (see IngestedContent). */
  readonly contentRetentionDays: number
}
