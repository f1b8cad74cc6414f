import t from 'tap'
import {
  isResidentIdNumber, isUnifiedSocialCreditCode, maskIdNumber, residentIdCheckChar, uniformCreditCheckChar,
} from '../../src/schema/check-digits.js'

const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

// A small deterministic generator, so a failure names a reproducible input.
function* pseudoRandom (seed: number): Generator<number> {
  let x = seed
  for (;;) {
    x = (x * 1103515245 + 12345) % 2147483648
    yield x
  }
}

t.test('resident ID numbers with a correct check character are accepted', async t => {
  for (const id of [
    '11010519491231002X', // the example of GB 11643-1999, check character X
    '440524188001010014', // birth date in the 19th century
    '320322198503144213',
    '32032219760512346X',
    '320322200002290028', // 29 February of a leap century year
  ]) t.ok(isResidentIdNumber(id), id)
})

t.test('resident ID numbers that break the standard are refused', async t => {
  const cases: Array<[string, string]> = [
    ['11010519491231002x', 'a lowercase x as check character'],
    ['110105194912310029', 'a wrong check digit'],
    ['320322198503144214', 'a check digit off by one'],
    ['19990230', 'only a birth date'],
    ['32032219850314421', '17 characters'],
    ['3203221985031442130', '19 characters'],
    ['320322850314421', 'an old 15-digit number'],
    ['32032219850314421Y', 'a check character other than X'],
    ['３２０３２２１９８５０３１４４２１３', 'full-width digits'],
    [' 320322198503144213', 'a leading space'],
    ['', 'the empty string'],
  ]
  for (const [id, why] of cases) t.notOk(isResidentIdNumber(id), why)
})

t.test('a resident ID number whose birth date is not a calendar date is refused even with a matching check character', async t => {
  for (const birth of ['19990230', '19000229', '20230229', '19851301', '19850001', '19850300', '19850431']) {
    const first17 = '320322' + birth + '123'
    t.notOk(isResidentIdNumber(first17 + residentIdCheckChar(first17)), birth)
  }
  const leap = '320322' + '20240229' + '123'
  t.ok(isResidentIdNumber(leap + residentIdCheckChar(leap)), '20240229 is a real day')
})

t.test('a non-string is not a resident ID number', async t => {
  t.notOk(isResidentIdNumber(320322198503 as unknown as string))
  t.notOk(isUnifiedSocialCreditCode(null as unknown as string))
})

t.test('the resident ID check character round-trips for many generated numbers', async t => {
  const rnd = pseudoRandom(20240131)
  let checked = 0
  for (let i = 0; i < 500; i++) {
    const year = 1900 + (rnd.next().value % 125)
    const month = 1 + (rnd.next().value % 12)
    const day = 1 + (rnd.next().value % 28)
    const seq = String(rnd.next().value % 1000).padStart(3, '0')
    const first17 = `320322${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${seq}`
    const check = residentIdCheckChar(first17)
    if (!isResidentIdNumber(first17 + check)) t.fail(`${first17}${check} should be valid`)
    for (const other of '0123456789X') {
      if (other !== check && isResidentIdNumber(first17 + other)) t.fail(`${first17}${other} should be refused`)
    }
    checked++
  }
  t.equal(checked, 500)
})

t.test('the resident ID check character is computed from 17 digits only', async t => {
  t.equal(residentIdCheckChar('11010519491231002'), 'X')
  t.throws(() => residentIdCheckChar('1101051949123100'), RangeError)
  t.throws(() => residentIdCheckChar('1101051949123100X'), RangeError)
})

t.test('unified social credit codes with a correct check character are accepted', async t => {
  for (const code of [
    '914403001922038216', // published registrations of well-known companies
    '91440300708461136T',
    '91110108551385082Q',
    '11320322MB1580421M', // invented agency codes used by the fixtures
    '113203220141506121',
    '92320322MA2087654U',
  ]) t.ok(isUnifiedSocialCreditCode(code), code)
})

t.test('unified social credit codes that break GB 32100-2015 are refused', async t => {
  const cases: Array<[string, string]> = [
    ['914403001922038217', 'a wrong check character'],
    ['91440300708461136t', 'a lowercase check character'],
    ['91320322ma1n2q7x4c', 'lowercase letters'],
    ['91440300708461136', '17 characters'],
    ['91440300708461136TT', '19 characters'],
    ['9144030070846113IT', 'the letter I, which the alphabet leaves out'],
    ['9144030070846113OT', 'the letter O'],
    ['9144030070846113ZT', 'the letter Z'],
    ['9144030070846113ST', 'the letter S'],
    ['9144030070846113VT', 'the letter V'],
    ['', 'the empty string'],
  ]
  for (const [code, why] of cases) t.notOk(isUnifiedSocialCreditCode(code), why)
})

t.test('the credit-code check character round-trips for many generated codes', async t => {
  const rnd = pseudoRandom(32100)
  for (let i = 0; i < 500; i++) {
    let first17 = ''
    for (let k = 0; k < 17; k++) first17 += USCC_CHARSET[rnd.next().value % 31]
    const check = uniformCreditCheckChar(first17)
    if (!isUnifiedSocialCreditCode(first17 + check)) t.fail(`${first17}${check} should be valid`)
    const wrong = USCC_CHARSET[(USCC_CHARSET.indexOf(check) + 1 + (rnd.next().value % 30)) % 31]!
    if (isUnifiedSocialCreditCode(first17 + wrong)) t.fail(`${first17}${wrong} should be refused`)
  }
  t.pass('500 generated codes round-trip')
})

t.test('a weighted sum divisible by 31 gives the check character 0', async t => {
  t.equal(uniformCreditCheckChar('00000000000000000'), '0')
  t.ok(isUnifiedSocialCreditCode('000000000000000000'))
})

t.test('the credit-code check character refuses a prefix outside the alphabet', async t => {
  t.throws(() => uniformCreditCheckChar('9144030070846113'), RangeError)
  t.throws(() => uniformCreditCheckChar('9144030070846113I'), RangeError)
  t.throws(() => uniformCreditCheckChar('91440300708461136'.toLowerCase() + 'a'), RangeError)
})

t.test('masking an ID number keeps the first 3 and last 2 characters and the length', async t => {
  t.equal(maskIdNumber('11010519491231002X'), '110*************2X')
  t.equal(maskIdNumber('320322198503144213'), '320*************13')
  t.equal(maskIdNumber('123456'), '123*56')
  t.equal(maskIdNumber('12345'), '*****', 'five characters or fewer are masked entirely')
  t.equal(maskIdNumber(''), '')
  const masked = maskIdNumber('320322198503144213')
  t.equal(masked.length, 18)
  t.notMatch(masked, /19850314/, 'the birth date is hidden')
})
