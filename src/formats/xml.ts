import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { UnreadableFileError } from '../errors.js'
import type { FormatReader, ReadItem } from './read-item.js'
import { isPlainRecord, plainCopy } from './safe-record.js'

/**
 * XML files are parsed whole (fast-xml-parser has no streaming mode), so their size is
 * capped: a larger file is refused with this limit named instead of exhausting memory.
 * Agencies with bigger XML exports should split them (one file per day) or export CSV.
 */
export const MAX_XML_CHARS = 128 * 1024 * 1024

const metaSymbol = XMLParser.getMetaDataSymbol() as unknown as symbol

/**
 * XML (fast-xml-parser): the records are the elements at `xmlRecordPath` ("root.list.item",
 * from the mapping's `input:`); without it, the repeating child element of the root.
 * Entities are NOT expanded (neither DOCTYPE-declared nor HTML ones), so an entity bomb is
 * inert text; values stay text (no number guessing: "007" stays "007"); attributes become
 * keys prefixed with "@"; an element with attributes and text keeps its text as "#text".
 */
export const readXml: FormatReader = async function * (text, options): AsyncGenerator<ReadItem> {
  const file = options.file
  let doc = ''
  for await (const chunk of text) {
    doc += chunk
    if (doc.length > MAX_XML_CHARS) throw new UnreadableFileError(`${file}: expected an XML file of at most ${MAX_XML_CHARS / 1024 / 1024} M characters (XML is read whole); split the export or send CSV`, file, undefined)
  }
  if (doc.trim() === '') return
  const valid = XMLValidator.validate(doc, { allowBooleanAttributes: true })
  if (valid !== true) throw new UnreadableFileError(`${file}: line ${valid.err.line}: expected well-formed XML (${valid.err.msg})`, file, valid.err.line)
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    textNodeName: '#text',
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    captureMetaData: true,
  })
  let parsed: unknown
  try {
    parsed = parser.parse(doc)
  } catch (err) {
    throw new UnreadableFileError(`${file}: expected well-formed XML (${(err as Error).message})`, file, undefined, { cause: err })
  }
  const { path, nodes } = recordNodes(parsed, options.xmlRecordPath, file)
  const lines = lineCounter(doc)
  for (const node of nodes) {
    const start = (node as Record<symbol, { startIndex?: number } | undefined>)[metaSymbol]?.startIndex
    const line = typeof start === 'number' ? lines(start) : 0
    if (isPlainRecord(node)) yield { record: plainCopy(node) as Record<string, unknown>, line }
    else if (typeof node === 'string' && node === '') yield { record: {}, line }
    else yield { error: { line, message: `expected <${path.at(-1) ?? ''}> to hold child elements, found only text` } }
  }
}

/** The record elements at `path` (dotted, starting at the root element), as a list. */
function recordNodes (doc: unknown, recordPath: string | undefined, file: string): { path: string[]; nodes: unknown[] } {
  const root = isPlainRecord(doc) ? Object.keys(doc) : []
  if (root.length !== 1) throw new UnreadableFileError(`${file}: expected one root element, found ${root.length}`, file, undefined)
  const path = recordPath === undefined || recordPath === '' ? defaultPath(doc as Record<string, unknown>, root[0] as string, file) : recordPath.split('.')
  if (path === undefined) return { path: [], nodes: [] } // an empty root element: no records
  let here: unknown = doc
  for (const [i, name] of path.entries()) {
    if (Array.isArray(here)) throw new UnreadableFileError(`${file}: expected one <${path[i - 1] ?? ''}> element on the path ${path.join('.')}, found several`, file, undefined)
    if (!isPlainRecord(here) || !Object.hasOwn(here, name)) {
      const found = isPlainRecord(here) ? Object.keys(here).filter(k => !k.startsWith('@') && k !== '#text') : []
      throw new UnreadableFileError(`${file}: expected element <${name}> at ${path.slice(0, i + 1).join('.')} (xmlRecordPath); found ${found.length === 0 ? 'no child elements' : found.map(k => `<${k}>`).join(', ')}`, file, undefined)
    }
    here = here[name]
  }
  return { path, nodes: Array.isArray(here) ? here : [here] }
}

function defaultPath (doc: Record<string, unknown>, root: string, file: string): string[] | undefined {
  const top = doc[root]
  const children = isPlainRecord(top) ? Object.keys(top).filter(k => !k.startsWith('@') && k !== '#text') : []
  if (children.length === 0) return undefined
  if (children.length > 1) throw new UnreadableFileError(`${file}: cannot tell which element is a record: <${root}> holds ${children.map(c => `<${c}>`).join(', ')}; set input.xmlRecordPath in the mapping`, file, undefined)
  return [root, children[0] as string]
}

/** Line number (1-based) of a character offset; offsets must be asked in increasing order. */
function lineCounter (doc: string): (offset: number) => number {
  let line = 1
  let scanned = 0
  return offset => {
    if (offset < scanned) { line = 1; scanned = 0 }
    for (let i = doc.indexOf('\n', scanned); i >= 0 && i < offset; i = doc.indexOf('\n', i + 1)) line++
    scanned = offset
    return line
  }
}
