import t from 'tap'
import { maskForViewer, personalSourceKeys } from '../../src/admin/viewer-mask.js'

t.test('a party name is masked in free text of the same record, not only in its own field', async t => {
  const masked = JSON.stringify(maskForViewer({ agency: { name: '沛县市场监督管理局' }, DSR: [{ DSRXM: '赵敏兰', ZJHM: '320302197706018395' }], AJMC: '赵敏兰未建立进货查验记录制度案', AQZY: '经查，当事人赵敏兰于2024年1月…' }))
  t.notMatch(masked, '赵敏兰')
  t.notMatch(masked, '320302197706018395')
  t.match(masked, '"AJMC":"[masked: 15 characters]"', 'free text is masked whole')
  t.match(masked, '沛县市场监督管理局', 'the agency\'s name stays readable')
})

t.test('the field names an agency\'s mapping reads party data from are masked too', async t => {
  const mapping = { sourceFieldFor: (p: string) => p === '/parties/0/name' ? '当事人信息[0].经营者' : p === '/parties/0/idNumber' ? '当事人信息[0].证照' : undefined }
  const keys = personalSourceKeys(mapping)
  t.same([...keys].sort(), ['经营者', '证照'].sort())
  const masked = JSON.stringify(maskForViewer({ 当事人信息: [{ 经营者: '钱多多', 证照: 'AB1234567' }], 摘要: '钱多多无证经营' }, keys))
  t.notMatch(masked, '钱多多')
  t.notMatch(masked, 'AB1234567')
  const unknown = JSON.stringify(maskForViewer({ 当事人信息: [{ 经营者: '钱多多' }] }))
  t.notMatch(unknown, '钱多多', 'without the mapping\'s keys a field of unknown meaning is masked whole all the same')
})
