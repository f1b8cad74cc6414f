/**
 * Named parsers (`parse: legalBasis`): structured values read out of free text. Adding one
 * is one entry in {@link PARSERS}; a mapping file can only name these, never supply code.
 */
import { Failure, type Convert } from './convert.js'

const LAW = /《([^《》]+)》/g
const NUM = '[0-9零〇一二三四五六七八九十百千两]+'
// 第四十九条, 第十二条之一, 第六十条第一款, 第六十条第一款第（三）项 …
const ARTICLE = new RegExp(`第${NUM}条(?:之${NUM})?(?:第${NUM}款)?(?:第[（(]?${NUM}[）)]?项)?`, 'g')

/**
 * "《中华人民共和国产品质量法》第四十九条" → [{ law: "中华人民共和国产品质量法", article: "第四十九条" }].
 * Several laws and several articles per law are read in order ("《A》第一条、第二条，《B》" gives
 * three entries: A 第一条, A 第二条, B without article). Articles are kept as written.
 */
function legalBasis (): Convert {
  const failure = new Failure('parse:legalBasis', 'expected law references like 《中华人民共和国产品质量法》第四十九条 (law names in 《》, articles as 第…条)')
  return (text: string) => {
    const laws = [...text.matchAll(LAW)]
    if (laws.length === 0) return failure
    const out: Array<{ law: string; article?: string }> = []
    for (let i = 0; i < laws.length; i++) {
      const match = laws[i]!
      const law = match[1]!.trim()
      if (law === '') return failure
      const end = match.index + match[0].length
      const tail = text.slice(end, laws[i + 1]?.index ?? text.length)
      const articles = tail.match(ARTICLE)
      if (articles === null) out.push({ law })
      else for (const article of articles) out.push({ law, article })
    }
    return out
  }
}

/** The parsers a mapping file may name. */
export const PARSERS: Readonly<Record<string, () => Convert>> = Object.freeze({
  legalBasis,
})
