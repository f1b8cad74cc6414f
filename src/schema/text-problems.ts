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

/** A problem for every string of `value` (at any depth) holding such a character; pointers as JSON pointers. */
export function textProblems (value: unknown): FieldProblem[] {
  const problems: FieldProblem[] = []
  const visit = (node: unknown, path: string): void => {
    if (typeof node === 'string') {
      if (BAD_TEXT.test(node)) problems.push({ path, rule: TEXT_RULE, message: TEXT_MESSAGE })
    } else if (Array.isArray(node)) {
      node.forEach((item, i) => visit(item, `${path}/${i}`))
    } else if (typeof node === 'object' && node !== null) {
      for (const key of Object.keys(node)) visit((node as Record<string, unknown>)[key], `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`)
    }
  }
  visit(value, '')
  return problems
}
