import { UsageError, type OperatorContext } from './operator-context.js'
import { nearest } from './suggest.js'
import { listOf } from '../i18n/translate.js'

/**
 * The agency a command acts on: `--agency`, or the only one the hub has. An agency the hub
 * does not have is a usage mistake said here, in the operator's language and with the
 * nearest id, rather than the hub's English 404.
 */
export async function chooseAgency (ctx: OperatorContext, asked: string | undefined): Promise<string> {
  const { agencies } = await ctx.client.get<{ agencies: { id: string }[] }>('/api/agencies')
  const ids = agencies.map(a => a.id)
  const list = listOf(ctx.t, ids)
  if (asked === undefined) {
    if (ids.length === 1) return ids[0]!
    throw new UsageError(ctx.t('cli.usage.chooseAgency', { agencies: list }))
  }
  if (ids.includes(asked)) return asked
  const near = nearest(asked, ids)
  throw new UsageError(ctx.t(near === undefined ? 'cli.usage.unknownHubAgency' : 'cli.usage.unknownHubAgencyNear', { agency: asked, near: near ?? '', agencies: list }))
}

/** Every key of a paged listing (for `--all`), page by page. */
export async function allKeys<E> (ctx: OperatorContext, path: string, key: (entry: E) => string): Promise<string[]> {
  const keys: string[] = []
  for (let offset = 0; ; offset += 1000) {
    const page = await ctx.client.get<{ count: number; entries: E[] }>(`${path}?limit=1000&offset=${offset}`)
    keys.push(...page.entries.map(key))
    if (page.entries.length < 1000) return keys
  }
}

/** Send keys in chunks the API accepts; returns every answer. */
export async function inChunks<A> (keys: readonly string[], send: (chunk: string[]) => Promise<A>): Promise<A[]> {
  const answers: A[] = []
  for (let i = 0; i < keys.length; i += 10_000) answers.push(await send(keys.slice(i, i + 10_000)))
  return answers
}
