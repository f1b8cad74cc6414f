import { UsageError, type OperatorContext } from './operator-context.js'

/** The agency a command acts on: `--agency`, or the only one the hub has. */
export async function chooseAgency (ctx: OperatorContext, asked: string | undefined): Promise<string> {
  if (asked !== undefined) return asked
  const { agencies } = await ctx.client.get<{ agencies: { id: string }[] }>('/api/agencies')
  if (agencies.length === 1) return agencies[0]!.id
  throw new UsageError(`name the agency with --agency; this hub has: ${agencies.map(a => a.id).join(', ')}`)
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
