import { expectedHash, GENESIS_HASH, type TraceEvent } from './trace-event.js'

/** Where a chain is broken: the case, the event (its position's seq), and what is wrong. */
export interface ChainBreak {
  readonly caseNumber: string
  /** The seq the broken event has, or should have had (a missing event). */
  readonly seq: number
  readonly problem: 'unreadable' | 'hash' | 'sequence' | 'head' | 'algorithm'
}

/** A case's stored chain: its events as stored (texts), the head, the anchor of a pruned prefix. */
export interface StoredChain {
  readonly caseNumber: string
  readonly texts: readonly string[]
  /** "seq|hash" of the last event written (absent: the case has no trace). */
  readonly head?: string | undefined
  /** "seq|hash" of the last event pruned (absent: nothing pruned). */
  readonly anchor?: string | undefined
}

function split (pair: string | undefined): { seq: number; hash: string } | undefined {
  if (pair === undefined) return undefined
  const bar = pair.indexOf('|')
  return { seq: Number(pair.slice(0, bar)), hash: pair.slice(bar + 1) }
}

/**
 * Re-compute one case's chain: every event's hash from the previous hash (the first's from
 * the anchor, or the genesis value) and its content, seqs consecutive, and the
 * last event being the head (events cut off the end show as a head mismatch). Returns the
 * first break, or undefined when the chain holds.
 */
export function verifyChain (chain: StoredChain): ChainBreak | undefined {
  const anchor = split(chain.anchor)
  let prev = anchor?.hash ?? GENESIS_HASH
  let seq = anchor?.seq ?? 0
  for (const text of chain.texts) {
    seq++
    let event: TraceEvent
    try {
      event = JSON.parse(text) as TraceEvent
    } catch {
      return { caseNumber: chain.caseNumber, seq, problem: 'unreadable' }
    }
    if (event.seq !== seq) return { caseNumber: chain.caseNumber, seq, problem: 'sequence' }
    const expected = expectedHash(event, prev)
    if (expected === undefined) return { caseNumber: chain.caseNumber, seq, problem: 'algorithm' }
    // A changed event, or one whose predecessor was changed or replaced (prev is the hash before it).
    if (expected !== event.hash) return { caseNumber: chain.caseNumber, seq, problem: 'hash' }
    prev = event.hash
  }
  const head = split(chain.head)
  if (head !== undefined && (head.seq !== seq || head.hash !== prev)) return { caseNumber: chain.caseNumber, seq: head.seq, problem: 'head' }
  return undefined
}
