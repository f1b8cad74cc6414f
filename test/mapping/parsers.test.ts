import t from 'tap'
import { Failure } from '../../src/mapping/transforms/convert.js'
import { PARSERS } from '../../src/mapping/transforms/parsers.js'

const legalBasis = PARSERS.legalBasis!()

t.test('legalBasis reads a law and its article', async t => {
  t.same(legalBasis('《中华人民共和国产品质量法》第四十九条'), [{ law: '中华人民共和国产品质量法', article: '第四十九条' }])
})

t.test('legalBasis reads several articles and several laws in order', async t => {
  t.same(legalBasis('依据《中华人民共和国食品安全法》第一百二十四条第一款、第一百二十六条和《无证无照经营查处办法》第十三条之规定'), [
    { law: '中华人民共和国食品安全法', article: '第一百二十四条第一款' },
    { law: '中华人民共和国食品安全法', article: '第一百二十六条' },
    { law: '无证无照经营查处办法', article: '第十三条' },
  ])
})

t.test('legalBasis keeps a law cited without an article', async t => {
  t.same(legalBasis('《中华人民共和国价格法》'), [{ law: '中华人民共和国价格法' }])
})

t.test('legalBasis refuses text without a law in 《》', async t => {
  const result = legalBasis('产品质量法第四十九条')
  t.type(result, Failure)
  t.equal((result as Failure).rule, 'parse:legalBasis')
})
