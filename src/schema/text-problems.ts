import type { FieldProblem } from './field-problems.js'

/**
 * What no canonical text may hold, whatever its field: C0 control characters other than tab,
 * line feed and carriage return, DEL, and U+FFFD — the replacement character a decoder puts
 * where the bytes were not valid in the declared encoding (broken UTF-8, a GBK file read as
 * UTF-8), so the text is corrupt. NUL in particular cannot be stored by many databases (a
 * PostgreSQL text column refuses it) and would make the case a poison record on the platform.
 */
// eslint-disable-next-line no-control-regex
const BAD_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/

export const TEXT_RULE = 'text'
export const TEXT_MESSAGE = 'text without control characters and without U+FFFD (bytes the declared encoding could not decode)'

/**
 * Names end up in the platform's spreadsheet exports, where a cell starting with =, +, -, @
 * (or a tab or carriage return before one) runs as a formula ("=cmd|' /C calc'!A0"). No
 * person's or organisation's name starts so, so such a name is refused, not escaped: escaping
 * would change the name the platform stores.
 */
const NAME_PATH = /^\/(parties\/\d+\/(name|legalRepresentative)|attachments\/\d+\/name)$/
const FORMULA_START = /^[\t\r ]*[=+\-@]/
export const FORMULA_RULE = 'text:formula'
export const FORMULA_MESSAGE = 'a name that does not start with =, +, - or @ (a spreadsheet would run it as a formula)'

/** Whether a string could be a problem: a bad character, or (wherever it is) a formula start. */
function suspect (text: string): boolean {
  return BAD_TEXT.test(text) || FORMULA_START.test(text)
}

/** Whether any string of `value`, at any depth, is {@link suspect}: the cheap walk every valid case takes. */
function anySuspect (node: unknown): boolean {
  if (typeof node === 'string') return suspect(node)
  if (Array.isArray(node)) {
    for (const item of node) if (anySuspect(item)) return true
    return false
  }
  if (typeof node === 'object' && node !== null) {
    for (const key in node) if (Object.hasOwn(node, key) && anySuspect((node as Record<string, unknown>)[key])) return true
  }
  return false
}

/**
 * A problem for every string of `value` (at any depth) holding such a character, and for
 * every name that starts like a formula; pointers as JSON pointers. Nearly every case has
 * none, so a first walk that builds no paths says whether the second, which does, is needed.
 */
export function textProblems (value: unknown): FieldProblem[] {
  if (!anySuspect(value)) return []
  const problems: FieldProblem[] = []
  const visit = (node: unknown, path: string): void => {
    if (typeof node === 'string') {
      if (BAD_TEXT.test(node)) problems.push({ path, rule: TEXT_RULE, message: TEXT_MESSAGE })
      else if (FORMULA_START.test(node) && NAME_PATH.test(path)) problems.push({ path, rule: FORMULA_RULE, message: FORMULA_MESSAGE })
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${path}/${i}`))
    } else if (typeof node === 'object' && node !== null) {
      for (const key of Object.keys(node)) visit((node as Record<string, unknown>)[key], `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    }
  }
  visit(value, '')
  return problems
}
