/**
 * The hub says at start what check-config says: an admin server listening beyond the
 * loopback address with no admin tokens. Real Redis and simulators; the hub binds port 0.
 */
import t from 'tap'
import { loadConfig } from '../../src/config/load-config.js'
import { startHub } from '../../src/hub.js'
import { builtInRegistry } from '../../adapters/index.js'
import { startWorld } from '../helpers/world.js'
import { capturingLogger } from '../helpers/log-capture.js'

for (const [host, warned] of [['0.0.0.0', true], ['127.0.0.1', false]] as const) {
  t.test(`a hub whose admin server listens on ${host} with no tokens ${warned ? 'warns at start' : 'says nothing'}`, async t => {
    const world = await startWorld(t, `exposed-admin-${warned ? 'open' : 'closed'}`, { agency: { records: 1 } })
    const config = await loadConfig(world.writeConfig({ admin: { host } }), builtInRegistry(), world.env)
    const log = capturingLogger('info')
    const hub = await startHub({ config, registry: builtInRegistry(), logger: log.logger, schedule: false })
    t.teardown(async () => await hub.close())
    const warning = log.warnings().find(w => w.code === 'admin_exposed_without_tokens')
    if (warned) t.match(warning, { host, port: Number(hub.adminUrl.split(':').pop()), msg: /管理服务监听 0\.0\.0\.0:[1-9]\d*，.*admin\.tokens 为空/ }, 'one warning, in the hub\'s language (zh-CN by default)')
    else t.equal(warning, undefined)
  })
}
