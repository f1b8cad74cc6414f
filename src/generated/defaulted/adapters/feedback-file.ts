// generated from schemas/adapters/feedback-file.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * Feedback writer `file`: one JSON file per decision (`<decision id>.json`), written under a hidden temporary name and renamed into place, in a local directory or (with `sftp`) on an SFTP server.
 */
export interface FeedbackFileWriterConfig {
  kind: 'file'
  /**
   * Absolute directory the files are dropped in (on the SFTP server with `sftp`).
   */
  directory: string
  sftp?: FeedbackSftpLogin
}
/**
 * Drop on this SFTP server instead of a local directory. Give password or privateKeyFile.
 */
export interface FeedbackSftpLogin {
  host: string
  port: number
  username: string
  password?: EnvRef
  privateKeyFile?: string
  passphrase?: EnvRef
  /**
   * The server's host key fingerprint (SHA256:…), pinned.
   */
  hostKeyFingerprint: string
  timeoutMs: number
}
/**
 * This interface was referenced by `FeedbackFileWriterConfig`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  env: string
}
