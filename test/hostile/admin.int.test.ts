/**
 * The hostile-input catalogue's admin API cases (fixtures/hostile/catalogue.ts): requests to
 * a running hub's admin API (real Redis, simulators behind it). Each is refused with its
 * documented status and error; the quarantine entry the mutating requests name is still
 * there afterwards, and nothing reached a prototype.
 */
import t from 'tap'
import { hashToken } from '../../src/admin/auth/tokens.js'
import { ADMIN_CASES } from '../../fixtures/hostile/catalogue.js'
import { AGENCY, startOperatorHub, TOKENS } from '../helpers/operator-hub.js'
import { checkNoPollution, prototypeSnapshot } from './hostile-kit.js'

const EXPIRED = 'expired-admin-token-77f0c2'

t.test('hostile requests to the admin API: each is refused as documented and changes nothing', async t => {
  const before = prototypeSnapshot()
  const op = await startOperatorHub(t, 'hostile-admin', {
    adminOverrides: {
      tokens: [
        ...(['viewer', 'operator', 'admin'] as const).map(role => ({ id: `${role}-1`, role, sha256: hashToken(TOKENS[role]) })),
        { id: 'expired-1', role: 'admin', sha256: hashToken(EXPIRED), expiresAt: '2024-01-01T00:00:00+08:00' },
      ],
      // Many bad tokens in a row from one address: the limiter must not answer 429 before the case is seen.
      badTokenLimit: { burst: 1000, perMinute: 1000 },
    },
  })
  await op.hub.pullNow(AGENCY)
  const quarantined = (await op.hub.ledger.quarantine(AGENCY)).map(e => e.recordKey).sort()
  t.ok(quarantined.length > 0, `the agency has quarantine entries to protect (${quarantined.length})`)
  const key = quarantined[0] ?? ''

  for (const c of ADMIN_CASES) {
    await t.test(`${c.id}: ${c.input}`, async t => {
      const o = c.outcome
      if (o.kind !== 'refused') throw new Error(`${c.id}: admin cases are refusals`)
      const { token = 'none' } = c.request
      const headers: Record<string, string> = { ...c.request.headers }
      if (token === 'expired') headers.authorization = `Bearer ${EXPIRED}`
      else if (token !== 'none') headers.authorization = `Bearer ${TOKENS[token]}`
      const res = await fetch(`${op.hub.adminUrl}${c.request.path}`, { method: c.request.method, headers, ...(c.request.body === undefined ? {} : { body: c.request.body.replace('@KEY@', key) }) })
      const text = await res.text()
      const body = JSON.parse(text) as { statusCode?: number; error?: string; message?: string }
      t.equal(res.status, o.status, 'the documented status')
      t.equal(body.error, o.error, 'the documented error label')
      t.match(body.message, o.says, 'saying what was wrong')
      if (o.status === 401) t.match(res.headers.get('www-authenticate'), /^Bearer realm="casebridge"/, 'with a bearer challenge')
      if (c.id === 'admin-expired-token') t.match(res.headers.get('www-authenticate'), 'error_description="expired"')
      t.notMatch(text, EXPIRED, 'no token is echoed')
    })
  }

  await t.test('afterwards the quarantine is untouched, the hub healthy, the prototypes clean', async t => {
    t.same((await op.hub.ledger.quarantine(AGENCY)).map(e => e.recordKey).sort(), quarantined, 'every refused request left the quarantine as it was')
    const res = await op.call('/api/agencies', { role: 'viewer' })
    t.equal(res.status, 200, 'valid tokens still work')
    t.equal((await fetch(`${op.hub.adminUrl}/healthz`)).status, 200)
    checkNoPollution(t, before, [])
  })
})
