import { createHash, timingSafeEqual } from 'node:crypto'
import { ConfigError } from '../../errors.js'
import type { AdminToken } from '../../generated/config.js'

/** Roles in increasing power: each may do everything the ones before it may. */
export const ROLES = ['viewer', 'operator', 'admin'] as const
export type Role = (typeof ROLES)[number]

export function roleAtLeast (role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed)
}

/** Who called: the token's id (recorded in the audit stream) and its role. */
export interface Caller { readonly id: string; readonly role: Role }

/** SHA-256 of a token as 64 lowercase hex characters — what the config stores. */
export function hashToken (token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex')
}

const HEX64 = /^[a-f0-9]{64}$/

/**
 * The configured tokens, as hashes only. A presented token is hashed and compared with
 * every entry in constant time (timingSafeEqual on equal-length digests, no early exit),
 * so neither the comparison nor the number of entries tried tells how close a guess was.
 */
export class TokenTable {
  private readonly entries: readonly { caller: Caller; digest: Buffer; expiresAtMs: number }[]

  constructor (tokens: readonly AdminToken[], private readonly now: () => number = Date.now) {
    const problems: string[] = []
    const ids = new Set<string>()
    const entries: { caller: Caller; digest: Buffer; expiresAtMs: number }[] = []
    tokens.forEach((token, i) => {
      // Environment references are resolved when the config loads; what remains must be the hash itself.
      const sha = typeof token.sha256 === 'string' ? token.sha256.trim().toLowerCase() : ''
      if (!HEX64.test(sha)) problems.push(`admin.tokens[${i}].sha256 (${token.id}): expected the SHA-256 of the token as 64 hexadecimal characters (casebridge hash-token prints it), not the token itself`)
      if (ids.has(token.id)) problems.push(`admin.tokens[${i}].id: "${token.id}" is used twice; token ids must be unique (they name the caller in the audit stream)`)
      ids.add(token.id)
      const expiresAtMs = token.expiresAt === undefined ? Number.POSITIVE_INFINITY : Date.parse(token.expiresAt)
      if (Number.isNaN(expiresAtMs)) problems.push(`admin.tokens[${i}].expiresAt (${token.id}): expected an RFC 3339 date-time with an offset, e.g. 2025-06-30T23:59:59+08:00`)
      entries.push({ caller: { id: token.id, role: token.role }, digest: Buffer.from(sha.padEnd(64, '0').slice(0, 64), 'hex'), expiresAtMs })
    })
    if (problems.length > 0) throw new ConfigError(`Invalid admin tokens:\n${problems.map(p => `  ${p}`).join('\n')}`, problems)
    this.entries = entries
  }

  get size (): number { return this.entries.length }

  /** The caller a presented token belongs to, or undefined. */
  find (presented: string): Caller | undefined {
    const match = this.lookup(presented)
    return match?.expired === false ? match.caller : undefined
  }

  /**
   * Which configured token `presented` is, and whether it has expired — so an expired token
   * can be told apart (and its holder told so) from one that was never valid.
   */
  lookup (presented: string): { caller: Caller; expired: boolean } | undefined {
    const digest = createHash('sha256').update(presented, 'utf8').digest()
    let found: { caller: Caller; expiresAtMs: number } | undefined
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry
    }
    return found === undefined ? undefined : { caller: found.caller, expired: this.now() >= found.expiresAtMs }
  }
}
