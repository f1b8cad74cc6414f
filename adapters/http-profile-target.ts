import { randomBytes } from 'node:crypto'
import { Agent, request } from 'undici'
import type { TargetAdapter, PushBatch, PushRecordResult, TargetCaseSummary } from '../src/index.js'
import type { FeedbackPage, TargetFeedback } from '../src/contracts/feedback.js'
import type { HttpProfileTargetConfig } from '../src/generated/defaulted/adapters/http-profile.js'
import type { Resolved } from '../src/config/env-refs.js'
import type { CompiledProfile } from '../src/profile/types.js'
import { RateLimitedError, RemoteUnavailableError, TargetAuthError, RemoteRefusedError } from '../src/errors.js'
import { defineTargetAdapter } from './define-adapter.js'
import { transportError, retryAfterMs } from './http-errors.js'
import { openTargetProfile } from './target-profile.js'

/** The config as `create` checked it: the schema's defaults filled in. */
type Config = Resolved<HttpProfileTargetConfig>

/** One answered request: the HTTP status, its body, the Retry-After it asked for. */
interface Answer { readonly status: number; readonly text: string; readonly retryAfter: string | string[] | undefined }

/**
 * Target adapter `http-profile`: a platform that speaks its own language, described by a
 * target profile (src/profile). Each batch is projected through the profile (the platform's
 * field names, codes and formats), put into the profile's envelope (one request per batch
 * chunk or per record), signed as the profile says (bearer, app key, HMAC with timestamp and
 * nonce), and its answer read through the profile's code table: accepted, rejected (a dead
 * letter with the platform's message), retryable, busy (the queue waits), authentication
 * refused (TargetAuthError: never retried; the cases become dead letters and alarm).
 *
 * Such a platform usually has no idempotency key and no fencing: a repeated batch is simply
 * written again (the same record, so the platform counts it unchanged), and an old version
 * arriving late is corrected after the fact by the hub (src/delivery/version-resend.ts).
 */
export const httpProfileTarget = defineTargetAdapter<Config>({
  kind: 'http-profile',
  description: 'HTTP platform described by a target profile (its record, envelope, signature and answer codes)',
  schemaFile: 'http-profile.schema.json',
  create (config, context): TargetAdapter {
    const agent = new Agent({ connections: config.connections, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs })
    const profile = openTargetProfile(config.profile, context.logger, config.profilePollMs)
    const who = (p: CompiledProfile): string => `platform target ${context.name} (${config.baseUrl}, profile ${p.version})`

    const send = async (p: CompiledProfile, method: string, pathWithQuery: string, body: string, contentType: string | undefined, signal: AbortSignal): Promise<Answer> => {
      const headers: Record<string, string> = { ...p.sign(method, pathWithQuery, body, Date.now(), randomBytes(16).toString('hex')), accept: 'application/json' }
      if (contentType !== undefined) headers['content-type'] = contentType
      try {
        const res = await request(new URL(pathWithQuery, config.baseUrl), { method: method as 'GET', dispatcher: agent, signal, headers, ...(method === 'GET' || method === 'HEAD' ? {} : { body }) })
        return { status: res.statusCode, text: await res.body.text(), retryAfter: res.headers['retry-after'] }
      } catch (err) {
        throw transportError(who(p), err)
      }
    }

    /** A request-level outcome as the hub's error families (records-level outcomes are returned). */
    const requestFailure = (p: CompiledProfile, outcome: { kind: string; code: string | undefined; message: string }, answer: Answer): Error => {
      const what = `${who(p)} answered HTTP ${answer.status}${outcome.code === undefined ? '' : ` code ${outcome.code}`}: ${outcome.message.slice(0, 300)}`
      switch (outcome.kind) {
        case 'busy': return new RateLimitedError(what, retryAfterMs(answer.retryAfter))
        case 'retryable': return new RemoteUnavailableError(what)
        case 'auth-refused': return new TargetAuthError(`${what} — the platform refused the hub's credentials or signature; check the profile's keys (the cases wait as dead letters until retried)`)
        default: return new RemoteRefusedError(what)
      }
    }

    /**
     * One page of the platform's decisions through the profile's `feedback:` section, signed
     * like every other request. Not retried here: the feedback puller runs again from the same cursor.
     */
    const feedbackPage = async (all: boolean, after: string | null, limit: number, signal: AbortSignal): Promise<FeedbackPage> => {
      const p = profile.current()
      const listing = p.feedback
      if (listing === undefined) throw new RemoteRefusedError(`${who(p)}: the profile has no feedback: section any more; the feedback listing waits for one`)
      const base = all && listing.allPath !== undefined ? listing.allPath : listing.path
      const query = new URLSearchParams(listing.query(after, limit)).toString()
      const answer = await send(p, 'GET', `${base}${query === '' ? '' : `?${query}`}`, '', undefined, signal)
      const outcome = p.classifyAnswer(answer.status, answer.text)
      if (outcome.kind !== 'records') throw requestFailure(p, outcome, answer)
      let parsed: unknown
      try { parsed = JSON.parse(answer.text) } catch { throw new RemoteUnavailableError(`${who(p)}: the feedback listing answer is not JSON (HTTP ${answer.status})`) }
      return listing.page(parsed, after, `${who(p)}'s feedback listing ${base}`)
    }
    // A capability of the profile as it was when the target opened (the hub looks once); a later edit changes how, not whether.
    const opened = profile.current().feedback
    const feedback: TargetFeedback | undefined = opened === undefined
      ? undefined
      : {
          list: async (after, limit, signal) => await feedbackPage(false, after, limit, signal),
          ...(opened.allPath === undefined ? {} : { listAll: async (after: string | null, limit: number, signal: AbortSignal) => await feedbackPage(true, after, limit, signal) }),
        }

    return {
      kind: 'http-profile',
      ...(feedback === undefined ? {} : { feedback }),
      projection: () => profile.current(),
      async push (batch: PushBatch, signal: AbortSignal): Promise<readonly PushRecordResult[]> {
        const p = profile.current()
        const results: PushRecordResult[] = []
        const records: object[] = []
        const numbers: string[] = []
        for (const c of batch.cases) {
          const projected = p.project(c)
          // The pipeline holds such cases before they are queued; a profile edit since can still make one unsendable.
          if (projected.kind === 'held') results.push({ caseNumber: c.caseNumber, status: 'rejected', reason: `${who(p)}: ${projected.reason}` })
          else { records.push(projected.record); numbers.push(c.caseNumber) }
        }
        for (const req of p.envelope(records.map(r => ({ ...r })))) {
          const carried = req.indexes.map(i => numbers[i] as string)
          const answer = await send(p, p.method, p.pushPath, req.body, req.contentType, signal)
          const outcome = p.classifyAnswer(answer.status, answer.text, { caseNumbers: carried })
          if (outcome.kind !== 'records') throw requestFailure(p, outcome, answer)
          results.push(...outcome.results)
        }
        return results
      },
      async * listCases (agencyCode: string, signal: AbortSignal): AsyncIterable<readonly TargetCaseSummary[]> {
        const p = profile.current()
        const listing = p.listing
        for (let page = listing.firstPage, seen = 0; !signal.aborted; page++) {
          const query = new URLSearchParams(listing.query(agencyCode, page)).toString()
          const path = `${listing.path}${query === '' ? '' : `?${query}`}`
          const answer = await send(p, 'GET', path, '', undefined, signal)
          const outcome = p.classifyAnswer(answer.status, answer.text)
          if (outcome.kind !== 'records') throw requestFailure(p, outcome, answer)
          let parsed: unknown
          try { parsed = JSON.parse(answer.text) } catch { throw new RemoteUnavailableError(`${who(p)}: the listing answer is not JSON (HTTP ${answer.status})`) }
          const { records, total } = listing.page(parsed)
          yield records.map(r => p.readBack(r)).map(r => ({ caseNumber: r.caseNumber, fingerprint: r.fingerprint, ...(r.storedAt === undefined ? {} : { storedAt: r.storedAt }) }))
          seen += records.length
          if (records.length === 0 || records.length < listing.pageSize || (total !== undefined && seen >= total)) return
        }
      },
      async check (signal: AbortSignal): Promise<void> {
        // One page of one record of the listing: read-only, signed, behind the platform's own gate.
        const p = profile.current()
        const query = new URLSearchParams({ ...p.listing.query('', p.listing.firstPage), }).toString()
        const answer = await send(p, 'GET', `${p.listing.path}?${query}`, '', undefined, signal)
        const outcome = p.classifyAnswer(answer.status, answer.text)
        if (outcome.kind === 'auth-refused' || outcome.kind === 'retryable') throw requestFailure(p, outcome, answer)
      },
      async close () {
        await profile.close()
        if (!agent.closed && !agent.destroyed) await agent.close()
      },
    }
  },
})
