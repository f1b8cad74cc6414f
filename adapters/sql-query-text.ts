/**
 * A configured `query:` is used as a subquery, `(<query>) AS cb_source`. What would break that
 * wrapper, or smuggle a second statement past it, is found here from the text alone — before
 * anything is sent — so the administrator reads the reason instead of the server's syntax
 * error: a `;` (a trailing one, or statements after it), a `--` (or MySQL `#`) comment that
 * runs to the end of the text and would swallow the closing `) AS cb_source`, and a string,
 * quoted name or comment that is never closed. The server then parses the rest (the LIMIT 0
 * check, adapters/sql-keyset.ts), and every statement goes out as one prepared statement, so
 * even text this scan misread could not run a second statement.
 */

export type SqlDialectName = 'postgres' | 'mysql'

/** Where a quoted part of the text ends, from where it starts; -1 when it never ends. */
function closing (text: string, at: number, dialect: SqlDialectName): number {
  const c = text[at]!
  if (c === '-' || c === '#') {
    const end = text.indexOf('\n', at)
    return end === -1 ? -1 : end
  }
  if (c === '/') {
    // PostgreSQL block comments nest; MySQL's do not.
    let depth = 0
    for (let i = at; i < text.length - 1; i++) {
      if (text.startsWith('/*', i)) { depth++; i++ } else if (text.startsWith('*/', i)) {
        depth--
        i++
        if (depth === 0 || dialect === 'mysql') return i
      }
    }
    return -1
  }
  if (c === '$') {
    const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(text.slice(at))![0]
    const end = text.indexOf(tag, at + tag.length)
    return end === -1 ? -1 : end + tag.length - 1
  }
  // ' " `: doubled to escape; a backslash escapes in MySQL strings and PostgreSQL E'' strings.
  const backslash = (dialect === 'mysql' && c !== '`') || (c === "'" && /[eE]$/.test(text.slice(0, at)) && !/[A-Za-z0-9_][eE]$/.test(text.slice(0, at)))
  for (let i = at + 1; i < text.length; i++) {
    if (backslash && text[i] === '\\') { i++; continue }
    if (text[i] === c) {
      if (text[i + 1] === c) { i++; continue }
      return i
    }
  }
  return -1
}

/** Where a quoted part (string, quoted name, comment) starts at `i`, if one does. */
function opensQuote (text: string, i: number, dialect: SqlDialectName): boolean {
  const c = text[i]
  if (c === "'" || c === '"') return true
  if (c === '`') return dialect === 'mysql'
  if (c === '#') return dialect === 'mysql'
  if (c === '-') return text[i + 1] === '-' && (dialect === 'postgres' || /[\s]/.test(text[i + 2] ?? ' '))
  if (c === '/') return text[i + 1] === '*'
  if (c === '$') return dialect === 'postgres' && /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.test(text.slice(i)) && !/[A-Za-z0-9_]$/.test(text.slice(0, i))
  return false
}

/** Why `query` cannot be used as one subquery, in words for the administrator; `undefined` when the scan finds nothing. */
export function queryTextProblem (query: string, dialect: SqlDialectName): string | undefined {
  for (let i = 0; i < query.length; i++) {
    if (opensQuote(query, i, dialect)) {
      const end = closing(query, i, dialect)
      if (end === -1) {
        return query[i] === '-' || query[i] === '#'
          ? `ends in a ${query[i] === '#' ? '#' : '--'} comment (character ${i + 1}), which would swallow the ") AS cb_source" the hub wraps the query in: end the comment with a line break, or write it /* … */`
          : `opens a string, quoted name or comment at character ${i + 1} that is never closed`
      }
      i = end
      continue
    }
    if (query[i] === ';') {
      return query.slice(i + 1).trim() === ''
        ? 'ends with ";": leave it out, the query is used as a subquery'
        : `holds more than one statement (";" at character ${i + 1}): the query must be one SELECT`
    }
  }
  return undefined
}
