/**
 * "Did you mean …": the known name nearest to a mistyped one, by edit distance
 * (insertions, deletions, substitutions and swaps of neighbours each cost one), so that
 * `stauts` finds `status` and `--agnecy` finds `--agency`.
 */

/** Optimal string alignment distance between `a` and `b`. */
export function editDistance (a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1)
      d[i]![j] = best
    }
  }
  return d[a.length]![b.length]!
}

/**
 * The known name nearest to `typed`, when it is near enough to be a typo: at most a third
 * of the typed length away (at least one edit), or `typed` is the start of exactly one
 * name. Undefined when nothing is that close — a wild guess helps nobody.
 */
export function nearest (typed: string, known: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(typed.length / 3))
  let best: string | undefined
  let bestDistance = Infinity
  for (const name of known) {
    const distance = editDistance(typed, name)
    if (distance < bestDistance) { best = name; bestDistance = distance }
  }
  if (best !== undefined && bestDistance <= limit) return best
  const prefixed = typed.length >= 2 ? known.filter(name => name.startsWith(typed)) : []
  return prefixed.length === 1 ? prefixed[0] : undefined
}
