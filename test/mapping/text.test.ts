import t from 'tap'
import { composeText, TEXT_TRANSFORMS } from '../../src/mapping/transforms/text.js'

t.test('trim removes ASCII and ideographic spaces', async t => {
  t.equal(TEXT_TRANSFORMS.trim!('  张三\u3000'), '张三')
})

t.test('upper and lower change case', async t => {
  t.equal(TEXT_TRANSFORMS.upper!('32032219921105101x'), '32032219921105101X')
  t.equal(TEXT_TRANSFORMS.lower!('ABCDEF'), 'abcdef')
})

t.test('halfwidth turns fullwidth digits, letters and punctuation into ASCII', async t => {
  t.equal(TEXT_TRANSFORMS.halfwidth!('３２０３２２'), '320322')
  t.equal(TEXT_TRANSFORMS.halfwidth!('ＡＢｃ，０２'), 'ABc,02')
  t.equal(TEXT_TRANSFORMS.halfwidth!('沛县\u3000公安局'), '沛县 公安局')
  t.equal(TEXT_TRANSFORMS.halfwidth!('《产品质量法》'), '《产品质量法》', 'CJK punctuation without an ASCII twin is kept')
})

t.test('collapseSpaces turns runs of whitespace into one space', async t => {
  t.equal(TEXT_TRANSFORMS.collapseSpaces!('a \t\n b'), 'a b')
})

t.test('clean-ups compose in the order written', async t => {
  t.equal(composeText(['halfwidth', 'trim', 'upper'])('\u3000３２ｘ '), '32X')
  t.equal(composeText(['trim'])(' a '), 'a')
})

t.test('removeSpaces removes every whitespace character, ideographic spaces included', async t => {
  t.equal(TEXT_TRANSFORMS.removeSpaces!('3203 2219\u30009211 05101x'), '32032219921105101x')
})

t.test('an ID number is cleaned into its canonical form: fullwidth to ASCII, spaces removed, x upper-cased', async t => {
  t.equal(composeText(['halfwidth', 'removeSpaces', 'upper'])(' ３２０３２２ １９９２１１０５１０１ｘ '), '32032219921105101X')
})
