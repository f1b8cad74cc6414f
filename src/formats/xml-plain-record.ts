/**
 * A record element's value read directly, for the plain elements exports are made of:
 * start tags without attributes (`<AJBH>`), matching end tags, and text without markup
 * characters, each element holding either text or child elements. For such a record it
 * gives what readXml's general route (fast-xml-parser's validator, then its parser with
 * readXml's options) gives: text trimmed, an empty element as "", a repeated child as a
 * list, children in document order. Anything else — attributes, self-closing tags,
 * comments, CDATA, processing instructions, entity or character references (`&`), CR
 * characters, text beside child elements, element names outside a plain subset of XML
 * names or naming an Object.prototype property — is `undefined`: the general route reads
 * it, with its messages. test/formats/xml-plain-record.test.ts compares the two.
 *
 * Why: the general route runs two parsers over every record, building intermediate
 * objects; this is one pass with `indexOf`, three to four times faster on typical records.
 */
export type PlainValue = string | PlainObject
export interface PlainObject { [key: string]: PlainValue | PlainValue[] }

/** Plain names: ASCII letters, `_` and CJK ideographs first; then also digits, `.` and `-`. No `:` (namespaces). */
const PLAIN_NAME = /^[A-Za-z_\u4e00-\u9fff][A-Za-z0-9_.\u4e00-\u9fff-]*$/

interface Frame { readonly name: string; object: PlainObject | undefined; text: string }

/** The value of the record element `xml` (it starts with its start tag and ends with its end tag), or undefined when it is not plain. */
export function plainRecordValue (xml: string): PlainValue | undefined {
  if (xml.includes('&') || xml.includes('\r')) return undefined
  const stack: Frame[] = []
  let i = 0
  const n = xml.length
  for (;;) {
    const lt = xml.indexOf('<', i)
    if (lt < 0) return undefined // text after the root: not a record element
    const top = stack.at(-1)
    if (lt > i) {
      if (top === undefined) return undefined
      const piece = xml.slice(i, lt).trim()
      if (piece !== '') {
        // A second text piece means text beside child elements (mixed content).
        if (top.text !== '' || top.object !== undefined) return undefined
        top.text = piece
      }
    }
    const gt = xml.indexOf('>', lt + 1)
    if (gt < 0) return undefined
    if (xml.charCodeAt(lt + 1) === 0x2f) { // "</name>"
      const name = xml.slice(lt + 2, gt)
      if (top === undefined || name !== top.name) return undefined
      stack.pop()
      let value: PlainValue
      if (top.object === undefined) value = top.text
      else if (top.text !== '') return undefined
      else value = top.object
      const parent = stack.at(-1)
      i = gt + 1
      if (parent === undefined) return i === n ? value : undefined
      addChild(parent, name, value)
      continue
    }
    const name = xml.slice(lt + 1, gt)
    if (!isPlainName(name)) return undefined
    if (top !== undefined) {
      if (top.text !== '') return undefined // text before a child element: mixed content
      top.object ??= {}
    } else if (lt !== 0) {
      return undefined
    }
    stack.push({ name, object: undefined, text: '' })
    i = gt + 1
  }
}

function isPlainName (name: string): boolean {
  // fast-xml-parser refuses or renames __proto__, constructor, prototype and Object.prototype's method names.
  return PLAIN_NAME.test(name) && !(name in Object.prototype) && name !== 'prototype' && !name.startsWith('__')
}

function addChild (parent: Frame, name: string, value: PlainValue): void {
  const object = parent.object as PlainObject
  if (!Object.hasOwn(object, name)) {
    object[name] = value
    return
  }
  const earlier = object[name] as PlainValue | PlainValue[]
  if (Array.isArray(earlier)) earlier.push(value)
  else object[name] = [earlier, value]
}
