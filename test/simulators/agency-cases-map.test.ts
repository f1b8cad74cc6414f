import { join } from 'node:path'
import t from 'tap'
import { DEMO_AGENCY_CODE, generateAgencyCase } from '../../fixtures/agency-sim/index.js'
import { loadMapping } from '../../src/mapping/load-mapping.js'
import { projectRoot } from '../../src/paths.js'
import { mapRecords } from '../../src/pipeline/map-records.js'

const DEMO_MAPPING = join(projectRoot, 'mappings', 'market-regulation-peixian.yaml')

t.test('through the demo mapping every valid-by-design case validates and each planted defect is quarantined naming its field', async t => {
  const mapping = await loadMapping(DEMO_MAPPING)
  for (const seed of [1, 5]) {
    const generated = Array.from({ length: 1000 }, (_, i) => generateAgencyCase(seed, i))
    const invalid = generated.flatMap(g => g.invalid === undefined ? [] : [{ caseNumber: g.record.AJBH, ...g.invalid }])
    const page = mapRecords(mapping.agency, mapping, generated.map(g => g.record as unknown as Record<string, unknown>))
    t.equal(page.valid.size, 1000 - invalid.length, `seed ${seed}: every other case is valid`)
    t.same(page.quarantined.map(q => q.caseNumber).sort(), invalid.map(i => i.caseNumber).sort(), `seed ${seed}: quarantine holds exactly the planted defects`)
    for (const defect of invalid) {
      const entry = page.quarantined.find(q => q.caseNumber === defect.caseNumber)
      t.ok(entry?.problems.some(p => p.canonicalField === defect.field), `${defect.caseNumber} (${defect.kind}) names ${defect.field}`)
    }
    t.ok([...page.valid.values()].every(v => v.case.agency.code === DEMO_AGENCY_CODE), 'the mapping names the demo agency by DEMO_AGENCY_CODE')
  }
})
