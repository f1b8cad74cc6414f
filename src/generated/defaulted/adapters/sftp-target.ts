// generated from schemas/adapters/sftp-target.schema.json by src/schema/generate-types.ts — do not edit; run `npm run gen:types`

/**
 * Target adapter `sftp`: writes each batch as a file into the platform's SFTP inbox — under a temporary name, then renamed — with a manifest (record count, SHA-256); per-record results from the platform's acknowledgement file when it writes one. Exchange format: adapters/README.md.
 */
export type SftpTargetConfig = (
  | {
      password: unknown
    }
  | {
      privateKeyFile: unknown
    }
) & {
  kind: 'sftp'
  host: string
  port: number
  username: string
  /**
   * Password authentication (from the environment). Give this or privateKeyFile.
   */
  password?: EnvRef
  /**
   * Private-key authentication: path of a private key file readable by the hub.
   */
  privateKeyFile?: string
  passphrase?: EnvRef
  /**
   * The server's host key fingerprint (SHA256:…), pinned.
   */
  hostKeyFingerprint: string
  /**
   * The platform's inbox directory on the server (absolute).
   */
  directory: string
  /**
   * Batch file format: one case per line (ndjson) or one JSON document { agencyCode, idempotencyKey, cases } (json).
   */
  format: 'ndjson' | 'json'
  /**
   * Time allowed to connect and for each operation.
   */
  timeoutMs: number
  /**
   * Whether the platform answers each batch with an acknowledgement file.
   */
  acknowledgement: {
    /**
     * "rename": a batch counts as accepted once its file is renamed into the inbox. "file": wait for <batch>.ack.json with per-record results.
     */
    mode: 'rename' | 'file'
    /**
     * Where the platform writes acknowledgements; default: the inbox.
     */
    directory?: string
    /**
     * How long one push waits for the acknowledgement before it is retried (the retry does not write the batch again).
     */
    waitMs: number
    pollMs: number
  }
}

/**
 * This interface was referenced by `undefined`'s JSON-Schema
 * via the `definition` "envRef".
 */
export interface EnvRef {
  env: string
}
