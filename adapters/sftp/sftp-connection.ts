import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import SftpClient from 'ssh2-sftp-client'
import { CaseBridgeError, HostKeyMismatchError, RemoteRefusedError, RemoteUnavailableError } from '../../src/errors.js'

/** Where and how to log in; secrets already resolved from the environment. */
export interface SftpEndpoint {
  readonly host: string
  readonly port: number
  readonly username: string
  readonly password?: string
  readonly privateKeyFile?: string
  readonly passphrase?: string
  /** "SHA256:…" as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string
  readonly timeoutMs: number
}

/** The library client, as the adapters use it; nothing of ssh2 leaves adapters/sftp/. */
export type SftpSession = SftpClient

/** SFTP status codes (draft-ietf-secsh-filexfer) that configuration must fix: no such file, permission denied. */
const REFUSED_STATUS = new Set<unknown>([2, 3])

/** OpenSSH's fingerprint of a raw host key: SHA256:<base64 without padding>. */
export function fingerprintOf (key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`
}

/**
 * One SFTP connection, used by one operation at a time (ssh2-sftp-client is unreliable
 * with concurrent operations on one connection): operations queue in `run`. Connects on
 * first use, pins the host key, and after the connection drops connects afresh on the
 * next operation. Every error leaves as a typed CaseBridge error:
 * `HostKeyMismatchError` (the pinned key does not match — never retried),
 * `RemoteRefusedError` (authentication, missing directory, permissions),
 * `RemoteUnavailableError` (network, timeout, lost connection).
 */
export class SftpConnection {
  private session: SftpClient | undefined
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  constructor (private readonly endpoint: SftpEndpoint, readonly who: string, private readonly logger: Logger) {}

  /** Run `op` on the connected session once every earlier operation has finished. */
  async run<T> (what: string, op: (session: SftpSession) => Promise<T>): Promise<T> {
    const turn = this.queue.then(async () => {
      if (this.closed) throw new RemoteUnavailableError(`${this.who}: the connection was closed`)
      const session = this.session ?? await this.connect()
      try {
        return await op(session)
      } catch (err) {
        throw this.typed(what, err, session)
      }
    })
    this.queue = turn.catch(() => undefined)
    return await turn
  }

  /** Turn a library error into a typed one; a transport failure also drops the session. */
  typed (what: string, err: unknown, session?: SftpClient): Error {
    if (err instanceof CaseBridgeError) return err
    const code = (err as { code?: unknown }).code
    const message = `${this.who}: ${what} failed: ${(err as Error).message ?? String(err)}`
    if (REFUSED_STATUS.has(code)) return new RemoteRefusedError(message, { cause: err })
    if (session !== undefined && session === this.session) this.drop()
    return new RemoteUnavailableError(message, { cause: err })
  }

  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.queue
    const session = this.session
    this.session = undefined
    if (session !== undefined) await session.end().catch(() => undefined)
  }

  private drop (): void {
    const session = this.session
    this.session = undefined
    if (session !== undefined) void session.end().catch(() => undefined)
  }

  private async connect (): Promise<SftpClient> {
    const { endpoint, logger } = this
    const session = new SftpClient('casebridge', {
      error: (err: unknown) => logger.debug({ err: (err as Error).message }, 'sftp connection error'),
      end: () => logger.debug('sftp connection ended'),
      close: () => logger.debug('sftp connection closed'),
    })
    let presented: string | undefined
    let rawError: (Error & { level?: string }) | undefined
    session.on('error', (err: Error & { level?: string }) => { rawError ??= err })
    session.on('close', () => { if (this.session === session) this.session = undefined })
    const expected = endpoint.hostKeyFingerprint.replace(/=+$/, '')
    let privateKey: Buffer | undefined
    if (endpoint.privateKeyFile !== undefined) {
      try {
        privateKey = readFileSync(endpoint.privateKeyFile)
      } catch (err) {
        throw new RemoteRefusedError(`${this.who}: cannot read the private key file ${endpoint.privateKeyFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err })
      }
    }
    try {
      await session.connect({
        host: endpoint.host,
        port: endpoint.port,
        username: endpoint.username,
        ...(endpoint.password === undefined ? {} : { password: endpoint.password }),
        ...(privateKey === undefined ? {} : { privateKey }),
        ...(endpoint.passphrase === undefined ? {} : { passphrase: endpoint.passphrase }),
        readyTimeout: endpoint.timeoutMs,
        keepaliveInterval: 5000,
        keepaliveCountMax: 3,
        hostVerifier: (key: Buffer) => {
          const actual = fingerprintOf(key)
          if (actual === expected) return true
          presented = actual
          return false
        },
      })
    } catch (err) {
      await session.end().catch(() => undefined)
      if (presented !== undefined) {
        throw new HostKeyMismatchError(`${this.who}: the server presented host key ${presented}, but the configuration pins ${expected}; refusing to connect. If the server's key was changed on purpose, put the new fingerprint in hostKeyFingerprint.`, { cause: err })
      }
      if (rawError?.level === 'client-authentication') {
        throw new RemoteRefusedError(`${this.who}: authentication as "${endpoint.username}" was refused (check the password or private key)`, { cause: err })
      }
      throw new RemoteUnavailableError(`${this.who}: cannot connect: ${(err as Error).message}`, { cause: err })
    }
    if (this.closed) {
      await session.end().catch(() => undefined)
      throw new RemoteUnavailableError(`${this.who}: the connection was closed`)
    }
    this.session = session
    return session
  }
}
