/**
 * Crash cycles: the hub runs as a child process and dies by SIGKILL at a crash point
 * (src/crash-points.ts) chosen by a seeded PRNG — every step of pull, map, enqueue, ledger
 * write, push and acknowledgement in turn, at a random visit of it — then restarts. The
 * agency keeps working meanwhile: cases are edited while the hub dies and restarts. After
 * the last, uncrashed, run the platform must hold exactly the source's valid cases, each in
 * its NEWEST version, no version written twice, and quarantine exactly the invalid ones.
 *
 * One scenario, run against each kind of platform (test/helpers/targets.ts): the canonical
 * API, and the provincial exchange and the 前置库 table (which have no idempotency key and
 * see their platform go down for a while in the middle of the cycles). For the profiled
 * ones "the source's valid cases" are those their profile can send (the rest are held).
 *
 * CASEBRIDGE_CRASH_SEED replays a run. Canonical: CASEBRIDGE_CRASH_CYCLES (default 20) and
 * CASEBRIDGE_CRASH_ROUNDS (default 1). Profiled targets: CASEBRIDGE_PROFILE_CRASH_CYCLES
 * (default 6), CASEBRIDGE_PROFILE_OUTAGE_MS (default 15 s) and CASEBRIDGE_CRASH_TARGETS
 * (default province,table-postgres). `npm run test:soak` runs 25 canonical rounds of 20, and
 * 26 cycles (at least 20 SIGKILLs) with a 60 s outage on each profiled target, the MariaDB table included.
 */
import t from 'tap'
import { Rng } from '../../fixtures/sim-shared/prng.js'
import { TARGET_KINDS, type TargetKind } from '../helpers/targets.js'
import { crashCycles, type Run } from './crash-cycle-run.js'

const CYCLES = Number(process.env.CASEBRIDGE_CRASH_CYCLES ?? 20)
const ROUNDS = Number(process.env.CASEBRIDGE_CRASH_ROUNDS ?? 1)
const PROFILE_CYCLES = Number(process.env.CASEBRIDGE_PROFILE_CRASH_CYCLES ?? 6)
const PROFILE_OUTAGE_MS = Number(process.env.CASEBRIDGE_PROFILE_OUTAGE_MS ?? 15_000)
const PROFILE_TARGETS = (process.env.CASEBRIDGE_CRASH_TARGETS ?? 'province,table-postgres').split(',').filter(k => k !== '') as TargetKind[]
const SEED = Number(process.env.CASEBRIDGE_CRASH_SEED ?? Date.now() % 1_000_000)

for (const k of PROFILE_TARGETS) if (!TARGET_KINDS.includes(k) || k === 'canonical') throw new Error(`CASEBRIDGE_CRASH_TARGETS: ${k} is not a profiled target (${TARGET_KINDS.filter(x => x !== 'canonical').join(', ')})`)
t.comment(`crash seed ${SEED} (replay with CASEBRIDGE_CRASH_SEED=${SEED}), ${ROUNDS} canonical round(s) of ${CYCLES} cycles; ${PROFILE_CYCLES} cycles and a ${PROFILE_OUTAGE_MS / 1000} s outage on ${PROFILE_TARGETS.join(', ') || 'no profiled target'}`)
const rng = new Rng(SEED)

const runs: Run[] = [
  ...Array.from({ length: ROUNDS }, (_, i) => ({ kind: 'canonical' as const, round: i + 1, cycles: CYCLES, records: 3000, outageMs: 0, minCrashes: Math.ceil(CYCLES * 0.75) })),
  ...PROFILE_TARGETS.map(kind => ({ kind, round: 1, cycles: PROFILE_CYCLES, records: 1500, outageMs: PROFILE_OUTAGE_MS, minCrashes: Math.min(PROFILE_CYCLES, Math.max(5, Math.ceil(PROFILE_CYCLES * 0.75))) })),
]

for (const run of runs) {
  const outage = run.outageMs > 0 ? ` and a ${run.outageMs / 1000} s platform outage` : ''
  t.test(`${run.kind}, round ${run.round}: a hub killed at ${run.cycles} seeded crash points across the sync path${outage} loses nothing, writes nothing twice, quarantines exactly the invalid`, { timeout: 900_000 }, async t => {
    await crashCycles(t, run, { rng, seed: SEED })
  })
}

