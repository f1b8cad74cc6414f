import { hash } from 'node:crypto'

/**
 * The bucket digests reconciliation compares, defined once for every party that computes
 * them: the hub's ledger (incrementally, in the Lua scripts of version-order.ts), the
 * platform (simulator: fixtures/platform-sim/bucket-index.ts) and the reconciler.
 *
 * A platform that wants to offer digests implements exactly this:
 *  - a case's **bucket path** is the lowercase hex SHA-1 of its UTF-8 case number; a bucket
 *    of depth d is the first d hex digits (so every bucket splits into 16 children);
 *  - a case's **digest** is the first 12 hex digits of SHA-1 of
 *    `caseNumber + "\n" + fingerprint` read as a 48-bit integer, where `fingerprint` is
 *    src/ledger/fingerprint.ts `fingerprint()` of the canonical case held;
 *  - a **bucket digest** is the number of cases in the bucket and the sum of their digests
 *    modulo 2^48, written as 12 lowercase hex digits.
 * A sum is order-independent and can be updated case by case (subtract the old digest,
 * add the new one), which is what lets the ledger keep it without ever rescanning.
 * SHA-1 is a checksum here, not a security measure: it detects accidental drift.
 */

/** Hex digits of the leaf buckets the ledger keeps: 16^4 = 65,536 leaves per agency. */
export const LEAF_DEPTH = 4
export const LEAF_COUNT = 16 ** LEAF_DEPTH
/** 2^48: digests and sums live in [0, 2^48), exact in a double and in Redis Lua numbers. */
export const DIGEST_MODULUS = 2 ** 48

/** One-shot hashes: no Hash object per case (a reconciliation places every case it lists). */
export function bucketPath (caseNumber: string): string {
  return hash('sha1', caseNumber, 'hex')
}

/** Index 0 … 65,535 of the case's leaf bucket. */
export function leafIndex (caseNumber: string): number {
  return Number.parseInt(bucketPath(caseNumber).slice(0, LEAF_DEPTH), 16)
}

export function leafName (index: number): string {
  return index.toString(16).padStart(LEAF_DEPTH, '0')
}

export function caseDigest (caseNumber: string, fingerprint: string): number {
  return Number.parseInt(hash('sha1', `${caseNumber}\n${fingerprint}`, 'hex').slice(0, 12), 16)
}

export function addDigest (sum: number, digest: number): number {
  return (sum + digest) % DIGEST_MODULUS
}

export function formatSum (sum: number): string {
  return sum.toString(16).padStart(12, '0')
}

export function parseSum (hex: string): number {
  return /^[0-9a-f]{1,12}$/.test(hex) ? Number.parseInt(hex, 16) : Number.NaN
}

/**
 * Per-leaf counts and sums of one side (ledger or target), aggregated on demand to any
 * shallower depth. Two typed arrays: 65,536 × 12 bytes, whatever the number of cases.
 */
export class LeafDigests {
  readonly counts = new Uint32Array(LEAF_COUNT)
  readonly sums = new Float64Array(LEAF_COUNT)

  add (leaf: number, count: number, sum: number): void {
    this.counts[leaf] = (this.counts[leaf] ?? 0) + count
    this.sums[leaf] = addDigest(this.sums[leaf] ?? 0, sum)
  }

  /** Count and sum of the bucket `prefix` (0 to LEAF_DEPTH hex digits). */
  bucket (prefix: string): { count: number; sum: number } {
    const shift = 4 * (LEAF_DEPTH - prefix.length)
    const first = prefix === '' ? 0 : Number.parseInt(prefix, 16) << shift
    const last = first + (1 << shift)
    let count = 0
    let sum = 0
    for (let leaf = first; leaf < last; leaf++) {
      const n = this.counts[leaf] ?? 0
      if (n === 0) continue
      count += n
      sum = addDigest(sum, this.sums[leaf] ?? 0)
    }
    return { count, sum }
  }

  total (): number {
    let n = 0
    for (const c of this.counts) n += c
    return n
  }
}
