/**
 * The performance goals (issue 17's table) read from one run's figures: each goal with the
 * figure measured, its same-run baseline where it has one, and whether it was met. Written
 * into test/bench/results/latest.json by `npm run bench` and printed as a table, so that a
 * missed goal is visible in the run itself, not only in the README.
 */

export interface GoalRow {
  readonly figure: string
  readonly measured: number | null
  readonly unit: string
  readonly goal: string
  /** null: the benchmark did not run (or failed) in the figures given. */
  readonly met: boolean | null
  readonly baseline?: string
}

type Figures = Record<string, unknown>

/** A number found at `path` in the figures, or null. */
function at (figures: Figures, path: readonly (string | number)[]): number | null {
  let node: unknown = figures
  for (const step of path) {
    if (node === null || typeof node !== 'object') return null
    node = (node as Record<string | number, unknown>)[step]
  }
  return typeof node === 'number' && Number.isFinite(node) ? node : null
}

const atLeast = (value: number | null, floor: number): boolean | null => value === null ? null : value >= floor
const atMost = (value: number | null, ceiling: number): boolean | null => value === null ? null : value <= ceiling

interface MappingRow { agency: string; mapValidatePerSec: number }

function mappingRows (benchmarks: Figures): MappingRow[] {
  const rows = (benchmarks.mapping as { rows?: unknown } | undefined)?.rows
  return Array.isArray(rows) ? rows.filter((r): r is MappingRow => typeof (r as MappingRow).agency === 'string' && typeof (r as MappingRow).mapValidatePerSec === 'number') : []
}

/** Every goal, in the order of issue 17's table, from the `benchmarks` section of latest.json. */
export function goalsOf (benchmarks: Figures): GoalRow[] {
  const e2e = ['endToEnd']
  const ratio = at(benchmarks, [...e2e, 'fullSpeed', 'ratios', 'median'])
  const min = at(benchmarks, [...e2e, 'fullSpeed', 'ratios', 'min'])
  const max = at(benchmarks, [...e2e, 'fullSpeed', 'ratios', 'max'])
  const rows: GoalRow[] = [
    {
      figure: 'e2e full speed, hub ÷ direct pipe (median of 3)', measured: ratio, unit: 'ratio', goal: '≥ 0.75', met: atLeast(ratio, 0.75),
      baseline: `direct pipe ${at(benchmarks, [...e2e, 'fullSpeed', 'ceilingCasesPerSecond']) ?? '?'} cases/s; runs ${min ?? '?'} … ${max ?? '?'}`,
    },
    ...(['steadyEvery100ms', 'steadyEvery200ms', 'steady'] as const).map((key): GoalRow => {
      const p99 = at(benchmarks, [...e2e, key, 'latencyMs', 'p99'])
      const pulls = key === 'steady' ? 'every second' : key === 'steadyEvery200ms' ? 'every 200 ms' : 'every 100 ms'
      return { figure: `steady 500 cases/s, p99 source → acknowledgement, pulls ${pulls}`, measured: p99, unit: 'ms', goal: '≤ 500', met: atMost(p99, 500) }
    }),
  ]
  const mapping = mappingRows(benchmarks)
  for (const row of mapping.filter(r => !r.agency.includes('expression'))) {
    rows.push({ figure: `mapping + validation, ${row.agency}`, measured: row.mapValidatePerSec, unit: 'records/s', goal: '≥ 100,000', met: atLeast(row.mapValidatePerSec, 100_000) })
  }
  const oneExpression = mapping.find(r => r.agency.includes('1 expression') && !r.agency.includes('guard off'))
  rows.push({ figure: 'mapping + validation, market + 1 expression', measured: oneExpression?.mapValidatePerSec ?? null, unit: 'records/s', goal: '≥ 50,000', met: atLeast(oneExpression?.mapValidatePerSec ?? null, 50_000) })
  const sftp = ['sftpIngest', 'ingest']
  const sftpRead = `SFTP read alone ${Math.round(at(benchmarks, ['sftpIngest', 'baselines', 'sftpReadOnly', 'mbPerSecond']) ?? 0)} MB/s`
  rows.push(
    { figure: 'SFTP ingest, GBK CSV rows/s', measured: at(benchmarks, [...sftp, 'recordsPerSecond']), unit: 'rows/s', goal: '≥ 40,000', met: atLeast(at(benchmarks, [...sftp, 'recordsPerSecond']), 40_000), baseline: sftpRead },
    { figure: 'SFTP ingest, GBK CSV MB/s', measured: at(benchmarks, [...sftp, 'mbPerSecond']), unit: 'MB/s', goal: '≥ 25', met: atLeast(at(benchmarks, [...sftp, 'mbPerSecond']), 25), baseline: sftpRead },
    { figure: 'SFTP ingest, peak RSS', measured: at(benchmarks, [...sftp, 'peakRssMb']), unit: 'MB', goal: '≤ 300', met: atMost(at(benchmarks, [...sftp, 'peakRssMb']), 300) },
    {
      figure: 'XML ingest, GBK MB/s', measured: at(benchmarks, ['xmlIngest', 'ingest', 'mbPerSecond']), unit: 'MB/s', goal: '≥ 20', met: atLeast(at(benchmarks, ['xmlIngest', 'ingest', 'mbPerSecond']), 20),
      baseline: `read + decode ${Math.round(at(benchmarks, ['xmlIngest', 'baselines', 'readAndDecode', 'mbPerSecond']) ?? 0)} MB/s`,
    },
    {
      figure: 'reconcile 1 M, full listing ÷ bare platform listing', measured: at(benchmarks, ['reconcile', 'fullListing', 'ratioToBaseline']), unit: 'ratio', goal: '≤ 1.3', met: atMost(at(benchmarks, ['reconcile', 'fullListing', 'ratioToBaseline']), 1.3),
      baseline: `bare listing ${at(benchmarks, ['reconcile', 'baselines', 'platform', 'wallSeconds']) ?? '?'} s`,
    },
    { figure: 'reconcile 1 M by digests', measured: at(benchmarks, ['reconcile', 'digests', 'wallSeconds']), unit: 's', goal: '≤ 1', met: atMost(at(benchmarks, ['reconcile', 'digests', 'wallSeconds']), 1) },
  )
  return rows
}

/** A figure as a person reads it: whole numbers from 100 up, else three significant digits. */
const shown = (n: number): string => Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : String(Number(n.toPrecision(3)))

/** The goals as table rows for printTable. */
export function goalTable (goals: readonly GoalRow[]): (string | number)[][] {
  return [['figure', 'measured', 'goal', 'met', 'same-run baseline'], ...goals.map(g => [
    g.figure, g.measured === null ? '—' : `${shown(g.measured)} ${g.unit}`, g.goal, g.met === null ? 'not run' : g.met ? 'yes' : 'NO', g.baseline ?? '',
  ])]
}
