// generated from schemas/adapters/sftp-source.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * Source adapter `sftp`: export files the agency system drops on an SFTP server (CSV, JSON, NDJSON, XML; encoding and format from the agency's mapping).
 */
export type SftpSourceConfig = (
  | {
      password: unknown
    }
  | {
      privateKeyFile: unknown
    }
) & {
  kind: 'sftp'
  /**
   * SFTP server address.
   */
  host: string
  port: number
  username: string
  /**
   * Password authentication (from the environment). Give this or privateKeyFile.
   */
  password?: EnvRef
  /**
   * Private-key authentication: path of an OpenSSH/PEM private key file readable by the hub.
   */
  privateKeyFile?: string
  /**
   * Passphrase of an encrypted private key.
   */
  passphrase?: EnvRef
  /**
   * The server's host key, pinned: its SHA-256 fingerprint as `ssh-keygen -lf <host key>.pub` prints it (SHA256:…). A server presenting another key is refused.
   */
  hostKeyFingerprint: string
  /**
   * Absolute path of the drop directory on the server.
   */
  directory: string
  /**
   * Time allowed to connect and for each operation.
   */
  timeoutMs: number
  /**
   * Reconnect attempts within one pull after the connection drops (with backoff); after that the pull gives up until its next tick, leaving the file in place.
   */
  retries: number
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

/**
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  env: string
}
