import t from 'tap'
import { withoutRoots } from '../../src/admin/machine-paths.js'

t.test('the folders the hub knows are taken off the front of paths, longest first, as whole path segments', async t => {
  const roots = ['/srv/hub', '/srv/hub/mappings']
  t.equal(withoutRoots('/srv/hub/mappings/market.yaml:5:3: bad; loaded from /srv/hub/config/hub.yaml', roots), 'market.yaml:5:3: bad; loaded from config/hub.yaml')
  t.equal(withoutRoots('/srv/hubby/x.yaml', roots), '/srv/hubby/x.yaml', 'a folder is taken off only as a whole path segment')
})
