import type { parseArgs, ParseArgsConfig } from 'node:util'
import { AdminClient, DEMO_ADMIN_TOKEN, DEMO_ADMIN_URL } from './admin-client.js'
import type { AdminRequestError } from '../errors.js'
import { DEFAULT_LOCALE, isLocale, translator, type Locale, type Translate } from '../i18n/translate.js'
import { UsageError } from '../errors.js'
import { askedLocale } from './cli-locale.js'
import { parseOptions } from './command-line.js'

/** Options every command that talks to the hub accepts. */
export const CONNECTION_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  lang: { type: 'string' },
} as const satisfies ParseArgsConfig['options']

export interface OperatorContext {
  readonly client: AdminClient
  readonly json: boolean
  readonly t: Translate
  readonly out: (line: string) => void
  /** Print an API answer as it came: the numbers of `--json` are exactly the API's. */
  readonly printJson: (value: unknown) => void
}

export { UsageError }

/** Parse a command's arguments: the connection options plus its own. */
export function parseCommand<O extends ParseArgsConfig['options']> (args: string[], own: O): ReturnType<typeof parseArgs<{ args: string[]; options: O & typeof CONNECTION_OPTIONS; allowPositionals: true }>> {
  return parseOptions(args, { ...CONNECTION_OPTIONS, ...own } as O & typeof CONNECTION_OPTIONS)
}

/**
 * Where the hub is and how to talk to it: `--url`/`--token`, else CASEBRIDGE_ADMIN_URL /
 * CASEBRIDGE_ADMIN_TOKEN, else the demo's. The language: `--lang`, else CASEBRIDGE_LOCALE,
 * else the hub's own `hub.locale` (asked once), else zh-CN.
 */
export async function operatorContext (values: { url?: string | undefined; token?: string | undefined; json?: boolean | undefined; lang?: string | undefined }, env: NodeJS.ProcessEnv = process.env, timeoutMs?: number): Promise<OperatorContext> {
  const asked = askedLocale(values.lang, env)
  const client = new AdminClient(values.url ?? env.CASEBRIDGE_ADMIN_URL ?? DEMO_ADMIN_URL, values.token ?? env.CASEBRIDGE_ADMIN_TOKEN ?? DEMO_ADMIN_TOKEN, asked, timeoutMs)
  const json = values.json === true
  let locale: Locale = DEFAULT_LOCALE
  if (asked !== undefined) {
    locale = asked
  } else if (!json) {
    const hub = await client.get<{ locale: string }>('/api/hub').catch(() => undefined)
    if (isLocale(hub?.locale)) locale = hub.locale
  }
  return {
    client, json, t: translator(locale),
    out: line => { process.stdout.write(line + '\n') },
    printJson: value => { process.stdout.write(JSON.stringify(value, null, 2) + '\n') },
  }
}

/**
 * An admin API refusal, said to the operator in their language. The hub's own sentence
 * (`message` of its answer) is English by contract: it is shown to English readers; others
 * read the request it answered, which names what was refused.
 */
export function describeRequestError (t: Translate, err: AdminRequestError, url: string): string {
  const detail = t.locale === 'en' ? err.detail : err.request
  switch (err.reason) {
    case 'unreachable': return t('cli.error.unreachable', { url, reason: err.detail })
    case 'unauthorized': return t('cli.error.unauthorized')
    case 'forbidden': return t('cli.error.forbidden', { detail })
    case 'notFound': return t('cli.error.notFound', { detail })
    case 'rateLimited': return t('cli.error.rateLimited', { seconds: err.retryAfterSeconds })
    case 'http': return t('cli.error.http', { status: err.status, detail })
  }
}

/**
 * Local time as "YYYY-MM-DD HH:MM:SS +08:00" (what an operator on the box reads), with the
 * zone's offset: a time read on another box, or pasted into a ticket, still says when.
 */
export function localTime (iso: string | null | undefined, never: string): string {
  if (iso === null || iso === undefined) return never
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number): string => String(n).padStart(2, '0')
  const east = -d.getTimezoneOffset()
  const zone = `${east < 0 ? '-' : '+'}${p(Math.floor(Math.abs(east) / 60))}:${p(Math.abs(east) % 60)}`
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone}`
}

/** A duration in the unit an operator reads fastest. */
export function humanSeconds (t: Translate, seconds: number): string {
  if (seconds < 120) return t('cli.seconds', { value: Math.round(seconds) })
  if (seconds < 7200) return t('cli.minutes', { value: Math.round(seconds / 60) })
  return t('cli.hours', { value: (seconds / 3600).toFixed(1) })
}

/**
 * One answer per agency from a per-agency route (`path` of an agency id): the named agency,
 * or every agency the hub has. With --json, the answer of the named agency as it is, else
 * `{ agencies: [...] }`, printed; undefined then (the caller is done).
 */
export async function perAgencyAnswers<T> (ctx: OperatorContext, agency: string | undefined, path: (id: string) => string): Promise<T[] | undefined> {
  const ids = agency !== undefined
    ? [agency]
    : (await ctx.client.get<{ agencies: { id: string }[] }>('/api/agencies')).agencies.map(a => a.id)
  const answers = await Promise.all(ids.map(async id => await ctx.client.get<T>(path(encodeURIComponent(id)))))
  if (!ctx.json) return answers
  ctx.printJson(agency !== undefined ? answers[0] : { agencies: answers })
  return undefined
}
