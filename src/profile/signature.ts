/**
 * Request authentication a profile declares: none, a bearer token, an app-key header, or a
 * signature — HMAC over `METHOD\npath?query\ntimestamp\nnonce\nsha256hex(body)`, hex, with
 * the app key, timestamp (epoch ms), nonce, algorithm name and signature in headers whose
 * names the profile may change. Secrets are environment references, resolved when the
 * profile loads (NAME, or the file NAME_FILE names); a secret that is not set fails the first request that needs it, naming the
 * variable, never its value.
 */
import { createHash, createHmac, getHashes } from 'node:crypto'
import type { ProfileAuth, SecretRef } from '../generated/profile.js'
import { ProfileSecretError } from '../errors.js'
import { lookupEnv } from '../config/env-refs.js'
import { allowedNames, refuse, type PositionedYaml } from '../mapping/compile-context.js'

/** Signature algorithms by name → the node:crypto hash they use. */
const ALGORITHMS: Readonly<Record<string, string>> = Object.freeze({ 'HMAC-SHA256': 'sha256', 'HMAC-SM3': 'sm3' })

export type Sign = (method: string, pathWithQuery: string, body: string, now: Date | number, nonce: string) => Record<string, string>

export const envName = (ref: SecretRef): string => typeof ref === 'string' ? ref.slice(2, -1) : ref.env

/** A secret the profile names; `problem` says why it has no value (a NAME_FILE that cannot be read, both set). */
interface Secret { readonly name: string; readonly value: string | undefined; readonly problem?: string }

function secretOf (ref: SecretRef | undefined, env: NodeJS.ProcessEnv): Secret | undefined {
  if (ref === undefined) return undefined
  const name = envName(ref)
  const found = lookupEnv(name, env)
  if (found.found) return { name, value: found.value }
  return found.unset ? { name, value: undefined } : { name, value: undefined, problem: found.problem }
}

function need (secret: Secret, what: string): string {
  if (secret.value !== undefined) return secret.value
  if (secret.problem !== undefined) throw new ProfileSecretError(`the profile's ${what} comes from environment variable ${secret.name}: ${secret.problem}`)
  throw new ProfileSecretError(`the profile's ${what} comes from environment variable ${secret.name}, which is not set`)
}

/** The sha256 hex of the body: what the signature covers of it. */
export const bodyDigest = (body: string): string => createHash('sha256').update(body, 'utf8').digest('hex')

/** The text a signature is computed over. */
export function stringToSign (method: string, pathWithQuery: string, timestamp: string, nonce: string, body: string): string {
  return [method.toUpperCase(), pathWithQuery, timestamp, nonce, bodyDigest(body)].join('\n')
}

export interface CompiledAuth {
  readonly sign: Sign
  /** Environment variables the profile names that are not set now. */
  readonly missingSecrets: readonly string[]
}

export function compileAuth (doc: PositionedYaml, auth: ProfileAuth | undefined, env: NodeJS.ProcessEnv): CompiledAuth {
  if (auth === undefined || auth.kind === 'none') return { sign: () => ({}), missingSecrets: [] }
  const headers = auth.headers!
  const path = ['auth']
  const token = secretOf(auth.token, env)
  const appKey = secretOf(auth.appKey, env)
  const secret = secretOf(auth.secret, env)
  const named = [token, appKey, secret].filter((s): s is Secret => s !== undefined)
  const missingSecrets = named.filter(s => s.value === undefined).map(s => s.name)
  switch (auth.kind) {
    case 'bearer': {
      if (token === undefined) refuse(doc, path, 'profile.authBearer')
      return { missingSecrets, sign: () => ({ [headers.authorization!]: `Bearer ${need(token, 'bearer token')}` }) }
    }
    case 'app-key': {
      if (appKey === undefined) refuse(doc, path, 'profile.authAppKey')
      return { missingSecrets, sign: () => ({ [headers.appKey!]: need(appKey, 'app key') }) }
    }
    case 'signature': {
      if (appKey === undefined || secret === undefined) refuse(doc, path, 'profile.authSignature')
      const algorithm = auth.algorithm!
      const hash = ALGORITHMS[algorithm]
      if (hash === undefined || !Object.prototype.hasOwnProperty.call(ALGORITHMS, algorithm)) refuse(doc, [...path, 'algorithm'], 'profile.unknownAlgorithm', { algorithm, allowed: allowedNames(Object.keys(ALGORITHMS)) })
      if (!getHashes().includes(hash)) refuse(doc, [...path, 'algorithm'], 'profile.hashMissing', { algorithm, hash, openssl: process.versions.openssl ?? '?' })
      return {
        missingSecrets,
        sign: (method, pathWithQuery, body, now, nonce) => {
          const timestamp = String(typeof now === 'number' ? now : now.getTime())
          const signature = createHmac(hash, need(secret, 'signature secret')).update(stringToSign(method, pathWithQuery, timestamp, nonce, body), 'utf8').digest('hex')
          return {
            [headers.appKey!]: need(appKey, 'app key'),
            [headers.timestamp!]: timestamp,
            [headers.nonce!]: nonce,
            [headers.signMethod!]: algorithm,
            [headers.sign!]: signature,
          }
        },
      }
    }
  }
}
