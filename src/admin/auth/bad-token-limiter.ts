/**
 * Rate limit on bad credentials, per client address: a token bucket holding `burst`
 * allowances, refilled at `perMinute`. Each missing or wrong token takes one; an address
 * with none left is answered 429 for its missing or wrong tokens until the bucket refills —
 * so a guesser cannot try tokens faster than the refill rate — while requests with a valid
 * token from the same address go on being served (authorize.ts checks the token first). Memory is bounded: at most
 * `maxAddresses` buckets are kept, the least recently touched dropped first.
 */
export class BadTokenLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor (private readonly burst: number, private readonly perMinute: number, private readonly maxAddresses = 10_000, private readonly now: () => number = Date.now) {}

  private level (address: string): { tokens: number; at: number } {
    const t = this.now()
    const b = this.buckets.get(address)
    if (b === undefined) return { tokens: this.burst, at: t }
    const refilled = Math.min(this.burst, b.tokens + (t - b.at) * this.perMinute / 60_000)
    return { tokens: refilled, at: t }
  }

  /** Milliseconds until this address may try again; 0 when it may now. */
  retryAfterMs (address: string): number {
    const b = this.level(address)
    return b.tokens >= 1 ? 0 : Math.ceil((1 - b.tokens) * 60_000 / this.perMinute)
  }

  /** Count one bad attempt from this address. */
  failed (address: string): void {
    const b = this.level(address)
    b.tokens = Math.max(0, b.tokens - 1)
    this.buckets.delete(address)
    this.buckets.set(address, b)
    if (this.buckets.size > this.maxAddresses) {
      const oldest = this.buckets.keys().next().value
      if (oldest !== undefined) this.buckets.delete(oldest)
    }
  }
}
