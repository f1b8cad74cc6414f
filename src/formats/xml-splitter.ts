import { XmlStructureError } from '../errors.js'

/** One record element cut out of the stream (its whole text, start tag to end tag), or a record that cannot be read. */
export type SplitItem =
  | { readonly xml: string; readonly name: string; readonly line: number }
  | { readonly error: { readonly line: number; readonly message: string } }

/** A record element larger than this is an error item (skipped, the next one is read), not a reason to hold the file. */
export const MAX_XML_RECORD_CHARS = 16 * 1024 * 1024
/** Elements nested deeper than this inside one record make it an error item (parsers and mappings recurse). */
export const MAX_XML_RECORD_DEPTH = 64
/** Nesting deeper than this anywhere means the file is not an export: it is refused. */
export const MAX_XML_DEPTH = 1000
/** Longest tag, comment, processing instruction or DOCTYPE outside a record's text. */
export const MAX_XML_MARKUP_CHARS = 1024 * 1024


const MARKUP_PREFIXES = ['<!--', '<![CDATA[', '<!DOCTYPE']

interface OpenRecord {
  /** Stack depth of the record element (its index in the stack). */
  readonly depth: number
  /** Offset in `buf` where its text not yet moved to `parts` starts (its "<" until the first compaction, then 0). */
  start: number
  /** Its text read in earlier chunks (kept as pieces: appending to one long string would copy it again each chunk). */
  parts: string[]
  held: number
  readonly line: number
  readonly name: string
  skip?: 'too-large' | 'too-deep'
  /** While skipping: elements opened inside the record since, counted instead of stacked. */
  extra: number
}

/**
 * Cuts a stream of XML text into its record elements, keeping only the record being read:
 * memory is bounded by the largest record (`MAX_XML_RECORD_CHARS`) whatever the file's size.
 * It checks what it needs of the structure — tags balanced and matching, one root element,
 * no text outside it — and names the line of every problem. It never reads a DOCTYPE's
 * content: entity declarations (an entity bomb) and external DTDs are skipped unread, so
 * nothing is expanded or fetched. Records are the elements at `path` (element names from
 * the root, e.g. ["导出", "案件列表", "案件"]), or without one the child element of the root
 * (all children must share one name).
 */
export class XmlRecordSplitter {
  private buf = ''
  private pos = 0
  private line = 1
  /** Where the search for the end of a pending comment, CDATA or PI may resume. */
  private resumeAt = -1
  private readonly stack: { name: string; line: number }[] = []
  /** How many leading elements of the open stack match `path`. */
  private matched = 0
  /** The most path elements ever matched, and the names found where the next one was expected. */
  private deepestMatch = 0
  private readonly seenAtDeepest = new Set<string>()
  private rootName: string | undefined
  private rootClosed = false
  private recordName: string | undefined
  private records = 0
  private record: OpenRecord | undefined

  constructor (private readonly path: readonly string[] | undefined) {}

  /** Characters held right now (unread, or part of the open record): what bounds the reader's memory. */
  get buffered (): number {
    return this.buf.length + (this.record?.held ?? 0)
  }

  * push (chunk: string): Generator<SplitItem> {
    this.buf += chunk
    yield * this.scan(false)
    this.compact()
  }

  * end (): Generator<SplitItem> {
    yield * this.scan(true)
    const open = this.stack.at(-1)
    if (open !== undefined) throw new XmlStructureError(this.line, `expected </${open.name}> (opened on line ${open.line}); the file ends inside it`)
    if (this.records > 0 || this.rootName === undefined || this.path === undefined) return
    const path = this.path
    const at = path.slice(0, this.deepestMatch + 1).join('.')
    const found = [...this.seenAtDeepest]
    throw new XmlStructureError(1, `expected element <${path[this.deepestMatch] ?? ''}> at ${at} (xmlRecordPath); found ${found.length === 0 ? 'no child elements' : found.map(n => `<${n}>`).join(', ')}`)
  }

  private * scan (final: boolean): Generator<SplitItem> {
    for (;;) {
      const lt = this.buf.indexOf('<', this.pos)
      const textEnd = lt < 0 ? this.buf.length : lt
      if (textEnd > this.pos) {
        this.text(this.pos, textEnd)
        this.advance(textEnd)
        this.checkRecordSize()
      }
      if (lt < 0) return
      const end = this.markupEnd()
      if (end < 0) {
        if (final) throw new XmlStructureError(this.line, 'expected the markup starting on this line to end; the file ends inside it')
        if (this.buf.length - this.pos > this.markupLimit()) throw new XmlStructureError(this.line, `expected markup (a tag, comment or DOCTYPE) of at most ${this.markupLimit()} characters; the one starting on this line is longer`)
        return
      }
      this.resumeAt = -1
      const item = this.markup(end)
      this.advance(end)
      this.checkRecordSize()
      if (item !== undefined) yield item
    }
  }

  /** Offset just past the markup at `pos` ("<" there), or -1 when the buffer does not hold all of it yet. */
  private markupEnd (): number {
    const { buf, pos } = this
    const next = buf.charCodeAt(pos + 1)
    if (next === 0x2f) { // "</"
      const gt = buf.indexOf('>', pos + 2)
      return gt < 0 ? -1 : gt + 1
    }
    if (next === 0x3f) return this.after('?>', pos + 2) // "<?"
    if (next !== 0x21) return tagEnd(buf, pos + 1) // "<" name
    if (buf.startsWith('<!--', pos)) return this.after('-->', pos + 4)
    if (buf.startsWith('<![CDATA[', pos)) return this.after(']]>', pos + 9)
    if (buf.startsWith('<!DOCTYPE', pos)) return doctypeEnd(buf, pos + 9)
    const head = buf.slice(pos, pos + 9)
    if (MARKUP_PREFIXES.some(p => p.length > head.length && p.startsWith(head))) return -1
    throw new XmlStructureError(this.line, 'expected a comment, CDATA section or DOCTYPE after "<!"')
  }

  /** Offset just past `terminator`, searched from `from`; a search that fails resumes where it stopped. */
  private after (terminator: string, from: number): number {
    const i = this.buf.indexOf(terminator, Math.max(from, this.resumeAt))
    if (i >= 0) return i + terminator.length
    this.resumeAt = Math.max(from, this.buf.length - terminator.length + 1)
    return -1
  }

  private markupLimit (): number {
    return this.record === undefined ? MAX_XML_MARKUP_CHARS : MAX_XML_RECORD_CHARS
  }

  /** Handle the markup buf[pos, end); returns a finished record, if this closed one. */
  private markup (end: number): SplitItem | undefined {
    const { buf, pos, line } = this
    if (buf.startsWith('<!DOCTYPE', pos)) {
      if (this.rootName !== undefined) throw new XmlStructureError(line, 'expected the DOCTYPE before the root element')
      return undefined // never read: no entity of it is defined, no external DTD fetched
    }
    const next = buf.charCodeAt(pos + 1)
    if (next === 0x3f || next === 0x21) return undefined // PI, comment, CDATA: part of a record's text if inside one
    if (next === 0x2f) return this.endTag(buf.slice(pos + 2, end - 1).trim(), end)
    let nameEnd = pos + 1
    for (let c = buf.charCodeAt(nameEnd); nameEnd < end && c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x2f && c !== 0x3e; c = buf.charCodeAt(++nameEnd));
    if (nameEnd === pos + 1) throw new XmlStructureError(line, 'expected an element name after "<"')
    return this.startTag(buf.slice(pos + 1, nameEnd), buf.charCodeAt(end - 2) === 0x2f, end)
  }

  private startTag (name: string, selfClosing: boolean, end: number): SplitItem | undefined {
    const depth = this.stack.length
    if (this.record === undefined) {
      if (depth === 0) {
        if (this.rootName !== undefined) throw new XmlStructureError(this.line, `expected one root element; found a second one, <${name}>, after </${this.rootName}>`)
        this.rootName = name
      }
      if (this.isRecordStart(name, depth)) {
        this.record = { depth, start: this.pos, line: this.line, name, extra: 0, parts: [], held: 0 }
        if (selfClosing) return this.closeRecord(end)
      }
    } else if (!selfClosing && this.record.skip !== undefined) {
      this.record.extra++ // a record being skipped is only counted through, so its depth costs no memory
      return undefined
    } else if (!selfClosing && depth - this.record.depth >= MAX_XML_RECORD_DEPTH) {
      this.record.skip = 'too-deep'
      this.record.extra++
      return undefined
    }
    if (!selfClosing) {
      if (depth >= MAX_XML_DEPTH) throw new XmlStructureError(this.line, `expected elements nested at most ${MAX_XML_DEPTH} levels deep`)
      this.stack.push({ name, line: this.line })
    }
    return undefined
  }

  private endTag (name: string, end: number): SplitItem | undefined {
    if (this.record !== undefined && this.record.extra > 0) { this.record.extra--; return undefined }
    const open = this.stack.pop()
    if (open === undefined) throw new XmlStructureError(this.line, `found </${name}> without an element to close`)
    if (open.name !== name) throw new XmlStructureError(this.line, `expected </${open.name}> (opened on line ${open.line}), found </${name}>`)
    if (this.matched > this.stack.length) this.matched = this.stack.length
    if (this.stack.length === 0) this.rootClosed = true
    return this.record !== undefined && this.stack.length === this.record.depth ? this.closeRecord(end) : undefined
  }

  private closeRecord (end: number): SplitItem {
    const record = this.record as OpenRecord
    this.record = undefined
    this.records++
    if (record.skip === 'too-large') return { error: { line: record.line, message: `expected records of at most ${MAX_XML_RECORD_CHARS} characters; this <${record.name}> is larger` } }
    if (record.skip === 'too-deep') return { error: { line: record.line, message: `expected records with elements nested at most ${MAX_XML_RECORD_DEPTH} levels deep; this <${record.name}> nests deeper` } }
    return { xml: record.parts.join('') + this.buf.slice(record.start, end), name: record.name, line: record.line }
  }

  /** Whether an element `name` opening at stack depth `depth` is a record; tracks what was found for messages. */
  private isRecordStart (name: string, depth: number): boolean {
    const path = this.path
    if (path === undefined) {
      if (depth !== 1) return false
      this.recordName ??= name
      if (name !== this.recordName) throw new XmlStructureError(this.line, `cannot tell which element is a record: <${this.rootName ?? ''}> holds <${this.recordName}> and <${name}>; set input.xmlRecordPath in the mapping`)
      return true
    }
    if (this.matched === depth && depth < path.length && name === path[depth]) {
      this.matched = depth + 1
      if (this.matched > this.deepestMatch) { this.deepestMatch = this.matched; this.seenAtDeepest.clear() }
      return depth === path.length - 1
    }
    // For the message when no record is found: what stands where the path's next element was expected.
    if (this.matched === depth && depth === this.deepestMatch && this.seenAtDeepest.size < 10) this.seenAtDeepest.add(name)
    return false
  }

  private text (from: number, to: number): void {
    if (this.stack.length > 0 || this.record !== undefined) return
    for (let i = from; i < to; i++) {
      const c = this.buf.charCodeAt(i)
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0xfeff) {
        let line = this.line
        for (let j = this.buf.indexOf('\n', from); j >= 0 && j < i; j = this.buf.indexOf('\n', j + 1)) line++
        throw new XmlStructureError(line, this.rootClosed ? `expected nothing but comments after </${this.rootName ?? ''}>, found text` : 'expected an XML element, found text outside any element')
      }
    }
  }

  private checkRecordSize (): void {
    const record = this.record
    if (record !== undefined && record.skip === undefined && record.held + this.pos - record.start > MAX_XML_RECORD_CHARS) {
      record.skip = 'too-large'
      record.parts = []
    }
  }

  private advance (to: number): void {
    const { buf } = this
    for (let i = buf.indexOf('\n', this.pos); i >= 0 && i < to; i = buf.indexOf('\n', i + 1)) this.line++
    this.pos = to
  }

  /** Release what is read: the open record's part of it moves to its pieces, the rest is dropped. */
  private compact (): void {
    const record = this.record
    if (record !== undefined && record.skip === undefined && this.pos > record.start) {
      record.parts.push(this.buf.slice(record.start, this.pos))
      record.held += this.pos - record.start
    }
    if (record !== undefined) record.start = 0
    if (this.pos === 0) return
    this.buf = this.buf.slice(this.pos)
    if (this.resumeAt >= 0) this.resumeAt -= this.pos
    this.pos = 0
  }
}

/** Offset just past the ">" ending a start tag whose name starts at `from`, skipping quoted attribute values; -1 when not in `buf` yet. */
function tagEnd (buf: string, from: number): number {
  const gt = buf.indexOf('>', from)
  if (gt < 0) return -1
  let i = from
  for (let c = buf.charCodeAt(i); i < gt && c !== 0x22 && c !== 0x27; c = buf.charCodeAt(++i));
  if (i === gt) return gt + 1 // no quoted attribute value before the first ">"
  let quote = 0
  for (; i < buf.length; i++) {
    const c = buf.charCodeAt(i)
    if (quote !== 0) { if (c === quote) quote = 0 } else if (c === 0x22 || c === 0x27) quote = c
    else if (c === 0x3e) return i + 1
  }
  return -1
}

/** Offset just past a DOCTYPE's closing ">", across its internal subset (quotes and comments in it); -1 when not in `buf` yet. */
function doctypeEnd (buf: string, from: number): number {
  let quote = 0
  let subset = 0
  for (let i = from; i < buf.length; i++) {
    const c = buf.charCodeAt(i)
    if (quote !== 0) { if (c === quote) quote = 0; continue }
    if (c === 0x22 || c === 0x27) quote = c
    else if (c === 0x5b) subset++
    else if (c === 0x5d) subset--
    else if (c === 0x3c && buf.startsWith('<!--', i)) {
      const end = buf.indexOf('-->', i + 4)
      if (end < 0) return -1
      i = end + 2
    } else if (c === 0x3e && subset <= 0) return i + 1
  }
  return -1
}
