/**
 * Text clean-ups (`text: [trim, upper]`): named string → string functions, applied in the
 * order written. Adding one is one line in {@link TEXT_TRANSFORMS}.
 */

// Fullwidth ASCII forms (！ to ～) sit at a fixed distance from their ASCII twins; the
// ideographic space becomes a plain space.
const FULLWIDTH = /[\uFF01-\uFF5E\u3000]/g
const toHalfwidth = (c: string): string => c === '\u3000' ? ' ' : String.fromCharCode(c.charCodeAt(0) - 0xFEE0)

/** The text clean-ups a mapping file may name. */
export const TEXT_TRANSFORMS: Readonly<Record<string, (s: string) => string>> = Object.freeze({
  /** Remove leading and trailing whitespace (including the ideographic space U+3000). */
  trim: (s: string) => s.trim(),
  /** Upper-case, e.g. a trailing x of an ID number becomes X. */
  upper: (s: string) => s.toUpperCase(),
  /** Lower-case, e.g. hex digests. */
  lower: (s: string) => s.toLowerCase(),
  /** Fullwidth letters, digits and punctuation (１２３，ＡＢＣ) to their ASCII forms. */
  halfwidth: (s: string) => s.replace(FULLWIDTH, toHalfwidth),
  /** Every run of whitespace becomes one space. */
  collapseSpaces: (s: string) => s.replace(/\s+/g, ' '),
  /** Remove every whitespace character, e.g. the spaces some systems put into ID numbers ("3203 2219…"). */
  removeSpaces: (s: string) => s.replace(/\s+/g, ''),
})

/** One function applying `names` in order; the caller has checked every name exists. */
export function composeText (names: readonly string[]): (s: string) => string {
  const steps = names.map(name => TEXT_TRANSFORMS[name]!)
  if (steps.length === 1) return steps[0]!
  return (s: string) => {
    for (const step of steps) s = step(s)
    return s
  }
}
