/**
 * Wait until `check` returns a value other than undefined/false, re-checking every
 * `intervalMs`; fail with `what` and the last observation after `timeoutMs`. For state
 * held by another process or server, where no event can be subscribed to.
 */
export async function waitFor<T> (what: string, check: () => Promise<T | undefined | false> | T | undefined | false, opts: { timeoutMs?: number; intervalMs?: number; describe?: () => Promise<string> | string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000)
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) {
      const detail = opts.describe === undefined ? '' : ` (last seen: ${await opts.describe()})`
      throw new Error(`timed out after ${opts.timeoutMs ?? 30_000} ms waiting for ${what}${detail}`)
    }
    await new Promise(resolve => setTimeout(resolve, opts.intervalMs ?? 100))
  }
}
