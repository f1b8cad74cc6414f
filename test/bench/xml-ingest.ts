/**
 * Benchmark: a large GBK XML export (default ~300 MB, more than the old whole-file limit of
 * 128 M characters) read record by record through `readRecords` and mapped + validated with
 * the ecology agency's mapping (fixtures/exports/ecology-gbk-xml), reporting MB/s,
 * records/s and peak RSS — which must not grow with the file (goal: under 300 MB).
 * Baseline from the same run, as a ratio: the same bytes read from disk and GBK-decoded
 * without parsing.
 *
 *   npx tsx test/bench/xml-ingest.ts        (also run by `npm run bench`; XML_BENCH_MB sets the size)
 *
 * Writes test/bench/results/xml-ingest.json.
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadMapping } from '../../src/mapping/load-mapping.js'
import { mapPage } from '../../src/pipeline/map-records.js'
import { readRecords } from '../../src/formats/read-records.js'
import { decodedText } from '../../src/formats/decode.js'
import { projectRoot } from '../../src/paths.js'
import { TEST_REDIS_URL } from '../helpers/redis.js'
import { machineInfo, printTable, rssSampler, writeGbkExport, writeResult } from './bench-kit.js'

const TARGET_BYTES = Number(process.env.XML_BENCH_MB ?? 300) * 1024 * 1024
const MAPPING = join(projectRoot, 'fixtures/exports/ecology-gbk-xml/mapping.yaml')
const FACTS = '经查，当事人未依法报批建设项目环境影响评价文件，擅自开工建设，违反了《中华人民共和国环境影响评价法》的规定，执法人员现场责令其停止建设。'.repeat(3)

function record (n: number): string {
  return `    <案件><AJBH>沛环罚〔2024〕${String(n).padStart(8, '0')}号</AJBH><XZQH>320322</XZQH><CXLX>1</CXLX><AY>未批先建</AY><AQZY>${FACTS}</AQZY>` +
    '<DSR><DSRLX>2</DSRLX><DSRMC>徐州某化工有限公司</DSRMC><ZJHM>91320322134789256R</ZJHM><FDDBR>李某</FDDBR></DSR>' +
    '<CFZL>02</CFZL><CFJE>50000.00</CFJE><LASJ>20240115</LASJ><CFJDRQ>20240301</CFJDRQ><AJZT>30</AJZT><SFSXFZ>0</SFSXFZ></案件>\n'
}

interface Phase { name: string; seconds: number; bytes: number; records: number; peakRssMb: number }

const dir = mkdtempSync(join(tmpdir(), 'casebridge-xml-bench-'))
try {
  const file = join(dir, 'cases.xml')
  process.stdout.write(`generating ~${Math.round(TARGET_BYTES / 1048576)} MB of GBK XML …\n`)
  const { items: generatedRecords } = await writeGbkExport(file, {
    head: '<?xml version="1.0" encoding="GBK"?>\n<导出 系统="环境执法平台">\n  <案件列表>\n', item: record, perChunk: 500, tail: '  </案件列表>\n</导出>\n', targetBytes: TARGET_BYTES,
  })
  const bytes = statSync(file).size
  const mapping = await loadMapping(MAPPING)
  const phases: Phase[] = []
  let problems = 0

  {
    const rss = rssSampler(20)
    process.stdout.write('reading, mapping, validating …\n')
    const started = process.hrtime.bigint()
    let records = 0
    let page: Record<string, unknown>[] = []
    const flush = async (): Promise<void> => {
      const mapped = await mapPage('bench', mapping, page)
      records += mapped.valid.size
      problems += mapped.quarantined.length
      page = []
    }
    for await (const item of readRecords(createReadStream(file, { highWaterMark: 256 * 1024 }), { ...mapping.input, fileName: 'cases.xml' })) {
      if ('record' in item) page.push(item.record)
      else problems++
      if (page.length === 500) await flush()
    }
    await flush()
    rss.stop()
    phases.push({ name: 'xml read + parse + mapping + validation', seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes, records, peakRssMb: rss.peakMb() })
  }
  {
    const rss = rssSampler(20)
    const started = process.hrtime.bigint()
    let chars = 0
    for await (const text of decodedText(createReadStream(file, { highWaterMark: 256 * 1024 }), 'gbk', new AbortController().signal)) chars += text.length
    rss.stop()
    phases.push({ name: 'baseline: read + GBK decode only', seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes, records: 0, peakRssMb: rss.peakMb() })
    process.stdout.write(`${chars.toLocaleString('en-US')} characters\n`)
  }

  const [ingest, decode] = phases as [Phase, Phase]
  const mbps = (p: Phase): number => p.bytes / 1048576 / p.seconds
  const result = {
    machine: await machineInfo(TEST_REDIS_URL),
    file: { megabytes: Math.round(bytes / 1048576), records: generatedRecords, encoding: 'gbk', format: 'xml' },
    ingest: { seconds: ingest.seconds, mbPerSecond: mbps(ingest), recordsPerSecond: ingest.records / ingest.seconds, records: ingest.records, problems, peakRssMb: ingest.peakRssMb, rssGoalMb: 300, rssGoalMet: ingest.peakRssMb < 300 },
    baselines: { readAndDecode: { seconds: decode.seconds, mbPerSecond: mbps(decode), peakRssMb: decode.peakRssMb } },
    ratios: { ingestToReadAndDecode: mbps(ingest) / mbps(decode) },
  }
  printTable(`XML ingest of a ${result.file.megabytes} MB GBK export (${generatedRecords.toLocaleString('en-US')} records)`, [
    ['phase', 'seconds', 'MB/s', 'records/s', 'peak RSS MB', 'ingest MB/s ÷ this'],
    ...phases.map(p => [p.name, p.seconds, mbps(p), p.records === 0 ? '—' : Math.round(p.records / p.seconds), p.peakRssMb, p === ingest ? 1 : mbps(ingest) / mbps(p)]),
  ])
  process.stdout.write(`\npeak RSS ${ingest.peakRssMb} MB for a ${result.file.megabytes} MB file (goal < 300 MB: ${result.ingest.rssGoalMet ? 'met' : 'NOT met'}); ${problems} problems\n`)
  process.stdout.write(`wrote ${writeResult('xml-ingest', result)}\n`)
  if (ingest.records !== generatedRecords) {
    process.stderr.write(`expected ${generatedRecords} valid records, got ${ingest.records}\n`)
    process.exitCode = 1
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
