/**
 * Plain-text tables for terminals, aligned by display width: a CJK character takes two
 * columns, a combining mark none, so Chinese names and headers line up with ASCII.
 */

/** Ranges (inclusive) of code points a terminal shows two columns wide (East Asian Wide/Fullwidth). */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf],
  [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x1f300, 0x1f64f], [0x1f900, 0x1f9ff], [0x20000, 0x3fffd],
]

function charWidth (cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0
  if ((cp >= 0x0300 && cp <= 0x036f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfe0f) return 0
  for (const [lo, hi] of WIDE) if (cp >= lo && cp <= hi) return 2
  return 1
}

/** Columns a string occupies in a terminal. */
export function displayWidth (text: string): number {
  let width = 0
  for (const ch of text) width += charWidth(ch.codePointAt(0)!)
  return width
}

/** Cut to at most `max` columns, ending with "…" when cut. */
export function truncate (text: string, max: number): string {
  if (displayWidth(text) <= max) return text
  let out = ''
  let width = 0
  for (const ch of text) {
    const w = charWidth(ch.codePointAt(0)!)
    if (width + w > max - 1) break
    out += ch
    width += w
  }
  return out + '…'
}

/** Pad to `width` columns, on the right (text) or the left (numbers). */
export function pad (text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)))
  return align === 'left' ? text + fill : fill + text
}

export interface Column<Row> {
  readonly header: string
  readonly value: (row: Row) => string | number
  readonly align?: 'left' | 'right'
  /** Widest the column may get (cells are cut with "…"); default 40. */
  readonly max?: number
  /**
   * The column takes what the terminal width leaves (`max` ignored); with no width (not a
   * terminal: a pipe, a file) its cells are whole.
   */
  readonly flex?: boolean
}

/** The narrowest a flexible column is cut to, however narrow the terminal. */
const FLEX_MIN = 16

/**
 * Header, a rule, one line per row; numbers right-aligned by default; no trailing spaces.
 * `width`: the terminal's columns, shared out among the flexible columns.
 */
export function renderTable<Row> (columns: readonly Column<Row>[], rows: readonly Row[], width?: number): string {
  const fixed = rows.map(row => columns.map(c => (c.flex === true ? String(c.value(row)) : truncate(String(c.value(row)), c.max ?? 40))))
  const flexible = columns.flatMap((c, i) => (c.flex === true ? [i] : []))
  const cells = width === undefined || flexible.length === 0 ? fixed : fitFlexible(columns, fixed, flexible, width)
  const aligns = columns.map((c, i) => c.align ?? (rows.length > 0 && rows.every((_, r) => /^-?[\d.,]+$/.test(cells[r]![i]!)) ? 'right' : 'left'))
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map(r => displayWidth(r[i]!))))
  const line = (values: readonly string[]): string => values.map((v, i) => pad(v, widths[i]!, aligns[i])).join('  ').trimEnd()
  return [line(columns.map(c => c.header)), widths.map(w => '─'.repeat(w)).join('  '), ...cells.map(line)].join('\n')
}

/** Cut the flexible columns' cells so that a line fits in `width` columns. */
function fitFlexible<Row> (columns: readonly Column<Row>[], cells: readonly string[][], flexible: readonly number[], width: number): string[][] {
  const natural = columns.map((c, i) => Math.max(displayWidth(c.header), ...cells.map(r => displayWidth(r[i]!))))
  const taken = natural.reduce((sum, w, i) => sum + (flexible.includes(i) ? 0 : w), 0) + 2 * (columns.length - 1)
  const share = Math.max(FLEX_MIN, Math.floor((width - taken) / flexible.length))
  return cells.map(row => row.map((cell, i) => (flexible.includes(i) ? truncate(cell, share) : cell)))
}
