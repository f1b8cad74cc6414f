/**
 * Benchmark: ingest a ≥ 200 MB GBK CSV export over SFTP (real OpenSSH sshd) through the
 * `sftp` source and the mapping + validation of a CSV agency
 * (fixtures/exports/urban-management-gbk-csv), reporting MB/s, records/s and peak RSS.
 * Baselines measured in the same run, as ratios: the same bytes read over the same SFTP
 * connection kind without parsing (the transport ceiling), and the same file parsed and
 * mapped from local disk (the parse + map ceiling). Goal: peak RSS under 300 MB.
 *
 *   npx tsx test/bench/sftp-ingest.ts        (also run by `npm run bench`)
 *
 * Writes test/bench/results/sftp-ingest.json.
 */
import { createReadStream, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AdapterContext } from '../../src/contracts/adapter-registry.js'
import { memoryAdapterState } from '../../src/ledger/adapter-state.js'
import { silentLogger } from '../../src/logging/logger.js'
import { loadMapping } from '../../src/mapping/load-mapping.js'
import { mapPage } from '../../src/pipeline/map-records.js'
import { readRecords } from '../../src/formats/read-records.js'
import { projectRoot } from '../../src/paths.js'
import { sftpSource } from '../../adapters/sftp-source.js'
import { SftpConnection } from '../../adapters/sftp/sftp-connection.js'
import { startSshd } from '../helpers/sshd.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { machineInfo, printTable, rssSampler, writeGbkExport, writeResult } from './bench-kit.js'

const TARGET_BYTES = Number(process.env.SFTP_BENCH_MB ?? 210) * 1024 * 1024
const MAPPING = join(projectRoot, 'fixtures/exports/urban-management-gbk-csv/mapping.yaml')
const HEADER = 'AJBH,XZQH,CXLX,AY,DSRXM,ZJHM,AQZY,CFZL,CFJE,LASJ,CFJDRQ,JASJ,AJZT\r\n'
// Facts summaries are long free text in real exports; ~700 bytes a row keeps the row count realistic.
const FACTS = '经查，当事人于2024年1月在人民路与解放路交叉口东南侧人行道上擅自设摊经营，占用公共通道约十二平方米，影响行人通行和市容环境，执法人员现场责令其立即改正，当事人拒不改正。'.repeat(4)

const teardowns: (() => Promise<void> | void)[] = []
const shim = { teardown: (fn: () => Promise<void> | void) => { teardowns.push(fn) } }

function row (n: number): string {
  return `沛城管罚〔2024〕${String(n).padStart(8, '0')}号,320322,1,占道经营,张三,32032219760512346X,"${FACTS}",02,200.00,20240105,20240110,20240115,40\r\n`
}

interface Phase { name: string; seconds: number; bytes: number; records: number; peakRssMb: number }

async function main (): Promise<void> {
  const sshd = await startSshd(shim)
  const file = join(sshd.root, 'bench.csv')
  process.stdout.write(`generating ~${Math.round(TARGET_BYTES / 1048576)} MB of GBK CSV …\n`)
  const { items: generatedRows } = await writeGbkExport(file, { head: HEADER, item: row, perChunk: 1000, tail: '', targetBytes: TARGET_BYTES })
  writeFileSync(`${file}.ok`, '')
  const bytes = statSync(file).size
  const mapping = await loadMapping(MAPPING)
  const phases: Phase[] = []
  let problems = 0

  // 1. The measured path: SFTP source (transport, GBK decode, CSV parse) + mapping + validation.
  {
    const rss = rssSampler(20)
    const context: AdapterContext = { logger: silentLogger(), name: 'bench', input: () => mapping.input, state: memoryAdapterState() }
    const source = sftpSource.create({ kind: 'sftp', host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, directory: sshd.root, completion: 'marker', pageSize: 500, retries: 0, timeoutMs: 30000 }, context)
    process.stdout.write('ingesting over sftp …\n')
    const started = process.hrtime.bigint()
    let records = 0
    for await (const page of source.pull(null, new AbortController().signal)) {
      const mapped = await mapPage('bench', mapping, page.records, page.origins)
      records += mapped.valid.size
      problems += mapped.quarantined.length + (page.unreadable?.length ?? 0)
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    await source.close()
    rss.stop()
    phases.push({ name: 'sftp source + mapping + validation', seconds, bytes, records, peakRssMb: rss.peakMb() })
  }
  const ingested = join(sshd.root, 'processed', 'bench.csv')

  // 2. Baseline: the same bytes over SFTP, read and thrown away.
  process.stdout.write('baselines …\n')
  {
    const rss = rssSampler(20)
    const connection = new SftpConnection({ host: sshd.host, port: sshd.port, username: sshd.username, privateKeyFile: sshd.privateKeyFile, hostKeyFingerprint: sshd.hostKeyFingerprint, timeoutMs: 30000 }, 'bench', silentLogger())
    const started = process.hrtime.bigint()
    let read = 0
    const stream = await connection.run('read', async s => s.createReadStream(ingested, { highWaterMark: 256 * 1024 }))
    stream.on('error', () => undefined) // a late CLOSE failure must not end the benchmark
    for await (const chunk of stream) read += (chunk as Buffer).length
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    await connection.close()
    rss.stop()
    phases.push({ name: 'baseline: sftp read only', seconds, bytes: read, records: 0, peakRssMb: rss.peakMb() })
  }

  // 3. Baseline: the same file from local disk, parsed, mapped and validated (no SFTP).
  {
    const rss = rssSampler(20)
    const started = process.hrtime.bigint()
    let records = 0
    let page: Record<string, unknown>[] = []
    for await (const item of readRecords(createReadStream(ingested, { highWaterMark: 256 * 1024 }), { ...mapping.input, fileName: 'bench.csv' })) {
      if (!('record' in item)) continue
      page.push(item.record)
      if (page.length === 500) { records += (await mapPage('bench', mapping, page)).valid.size; page = [] }
    }
    records += (await mapPage('bench', mapping, page)).valid.size
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    rss.stop()
    phases.push({ name: 'baseline: local disk + mapping + validation', seconds, bytes, records, peakRssMb: rss.peakMb() })
  }

  for (const fn of teardowns.reverse()) await fn()

  const [ingest, transport, local] = phases as [Phase, Phase, Phase]
  const mbps = (p: Phase): number => p.bytes / 1048576 / p.seconds
  const result = {
    machine: await machineInfo(TEST_REDIS_URL),
    file: { megabytes: Math.round(bytes / 1048576), rows: generatedRows, encoding: 'gbk', format: 'csv' },
    ingest: { seconds: ingest.seconds, mbPerSecond: mbps(ingest), recordsPerSecond: ingest.records / ingest.seconds, records: ingest.records, problems, peakRssMb: ingest.peakRssMb, rssGoalMb: 300, rssGoalMet: ingest.peakRssMb < 300 },
    baselines: {
      sftpReadOnly: { seconds: transport.seconds, mbPerSecond: mbps(transport) },
      localParseAndMap: { seconds: local.seconds, mbPerSecond: mbps(local), recordsPerSecond: local.records / local.seconds },
    },
    ratios: {
      ingestToSftpReadOnly: mbps(ingest) / mbps(transport),
      ingestToLocalParseAndMap: mbps(ingest) / mbps(local),
    },
  }
  printTable(`sftp ingest of a ${result.file.megabytes} MB GBK CSV (${generatedRows.toLocaleString('en-US')} rows)`, [
    ['phase', 'seconds', 'MB/s', 'records/s', 'peak RSS MB', 'ingest MB/s ÷ this'],
    ...phases.map(p => [p.name, p.seconds, mbps(p), p.records === 0 ? '—' : Math.round(p.records / p.seconds), p.peakRssMb, p === ingest ? 1 : mbps(ingest) / mbps(p)]),
  ])
  process.stdout.write(`\npeak RSS during ingest ${ingest.peakRssMb} MB (goal < 300 MB: ${result.ingest.rssGoalMet ? 'met' : 'NOT met'}); ${problems} rows quarantined\n`)
  process.stdout.write(`wrote ${writeResult('sftp-ingest', result)}\n`)
  if (ingest.records !== generatedRows) {
    process.stderr.write(`expected ${generatedRows} valid records, got ${ingest.records}\n`)
    process.exitCode = 1
  }
}

try {
  await main()
} catch (err) {
  for (const fn of teardowns.reverse()) await Promise.resolve(fn()).catch(() => undefined)
  throw err
}
