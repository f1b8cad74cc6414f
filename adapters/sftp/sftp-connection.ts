import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Logger } from 'pino'
import SftpClient from 'ssh2-sftp-client'
import type { Client } from 'ssh2'
import { CaseBridgeError, FileAccessDeniedError, FileVanishedError, HostKeyMismatchError, RemoteRefusedError, RemoteUnavailableError } from '../../src/errors.js'

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

/** The login keys both SFTP adapters' configs share (checked and defaulted by their schemas). */
export type SftpLogin = SftpEndpoint

/**
 * The endpoint of an `sftp` source or target config: the one place the login keys are
 * picked from a config, so both adapters connect alike.
 */
export function sftpEndpoint (config: SftpLogin): SftpEndpoint {
  return {
    host: config.host,
    port: config.port,
    username: config.username,
    hostKeyFingerprint: config.hostKeyFingerprint,
    timeoutMs: config.timeoutMs,
    ...(config.password === undefined ? {} : { password: config.password }),
    ...(config.privateKeyFile === undefined ? {} : { privateKeyFile: config.privateKeyFile }),
    ...(config.passphrase === undefined ? {} : { passphrase: config.passphrase }),
  }
}

/** The library client, as the adapters use it; nothing of ssh2 leaves adapters/sftp/. */
export type SftpSession = SftpClient

/** SFTP status codes (draft-ietf-secsh-filexfer): SSH_FX_NO_SUCH_FILE, SSH_FX_PERMISSION_DENIED. */
const NO_SUCH_FILE = 2
const PERMISSION_DENIED = 3
/** On the drop directory itself (or a subdirectory the hub made) these need configuration to change. */
const REFUSED_STATUS = new Set<unknown>([NO_SUCH_FILE, PERMISSION_DENIED])

interface RawSftpChannel {
  open (path: string, flags: string, callback: (err: (Error & { code?: unknown }) | undefined | null, handle: Buffer) => void): void
}

/**
 * Open one listed data file for reading. Its status codes mean something else than on the
 * directory: the agency deleted or renamed the file since the listing (passing — the next
 * poll lists afresh), or this one file is not readable for the hub's login (that file is
 * rejected, the others go on). Opened here rather than lazily by the read stream, so the
 * answer arrives as an error of this call and not as an event of a stream nobody reads yet.
 */
export async function openForReading (session: SftpSession, path: string, who: string): Promise<Buffer> {
  return await new Promise<Buffer>((resolve, reject) => {
    // ssh2's own SFTP channel, which ssh2-sftp-client keeps as `sftp` (its typings leave it out).
    const channel = untypedField(session, 'sftp', isRawSftpChannel)
    if (channel === undefined) { reject(new RemoteUnavailableError(`${who}: not connected`)); return }
    channel.open(path, 'r', (err, handle) => {
      if (err === undefined || err === null) { resolve(handle); return }
      if (err.code === NO_SUCH_FILE) reject(new FileVanishedError(`${who}: ${path} was listed but is gone now (deleted or renamed); skipped, the next poll lists the directory again`, { cause: err }))
      else if (err.code === PERMISSION_DENIED) reject(new FileAccessDeniedError(`${who}: ${path} may be listed but not read by this login (permission denied); the agency must make it readable and drop it again`, { cause: err }))
      else reject(err)
    })
  })
}

/** A field of the library client its typings leave out, if it is there and has the shape `is` checks. */
function untypedField<T> (session: SftpSession, name: string, is: (value: unknown) => value is T): T | undefined {
  const value: unknown = Reflect.get(session, name)
  return is(value) ? value : undefined
}

function isRawSftpChannel (value: unknown): value is RawSftpChannel {
  return typeof value === 'object' && value !== null && 'open' in value && typeof value.open === 'function'
}

function hasSetNoDelay (value: unknown): value is Pick<Client, 'setNoDelay'> {
  return typeof value === 'object' && value !== null && 'setNoDelay' in value && typeof value.setNoDelay === 'function'
}

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

  constructor (private readonly endpoint: SftpEndpoint, readonly who: string, readonly logger: Logger) {}

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
    // SFTP is request/answer: with Nagle's algorithm on, each small read request waits for the
    // peer's delayed ACK (~40 ms), which held a loopback file read to 1.4-2.8 MB/s; without it,
    // 120-190 MB/s. ssh2 leaves Nagle on unless asked (ssh2-sftp-client does not type `client`).
    untypedField(session, 'client', hasSetNoDelay)?.setNoDelay(true)
    this.session = session
    return session
  }
}
