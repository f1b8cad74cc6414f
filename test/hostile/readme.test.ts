import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { projectRoot } from '../../src/paths.js'
import { CATALOGUE, catalogueTable } from '../../fixtures/hostile/catalogue.js'

t.test('fixtures/hostile/README.md lists every case of the catalogue with its expected outcome, as the catalogue declares it', async t => {
  const readme = readFileSync(join(projectRoot, 'fixtures/hostile/README.md'), 'utf8')
  t.ok(readme.includes(catalogueTable()), 'the README\'s table is the catalogue\'s (regenerate it from catalogueTable() after changing a case)')
  t.ok(readme.includes(`## The catalogue (${CATALOGUE.length} cases)`))
})

t.test('the catalogue has at least 40 cases with distinct ids, across HTTP, SFTP, SQL, the admin API and the security review', async t => {
  t.ok(CATALOGUE.length >= 40, `${CATALOGUE.length} cases`)
  t.equal(new Set(CATALOGUE.map(c => c.id)).size, CATALOGUE.length, 'ids are distinct')
  t.same([...new Set(CATALOGUE.map(c => c.channel))].sort(), ['admin', 'http', 'security', 'sftp', 'sql'])
})
