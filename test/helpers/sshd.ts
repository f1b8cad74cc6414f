import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs'
import { createServer, connect } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { waitFor } from './wait-for.js'

const SSHD = '/usr/sbin/sshd'

/** A real OpenSSH server for one test file, serving a temporary directory over SFTP. */
export interface TestSshd {
  readonly host: string
  readonly port: number
  /** Absolute path of the directory the tests drop files into (what SFTP paths point at). */
  readonly root: string
  readonly username: string
  /** Private key authorised for `username` (generated for this run). */
  readonly privateKeyFile: string
  /** The server's host key fingerprint, SHA256:…, as `ssh-keygen -lf` prints it. */
  readonly hostKeyFingerprint: string
  /** Kill the server and every connection it serves (as a crash or network loss would). */
  stop (): Promise<void>
  /** Start it again on the same port, with the same keys. */
  start (): Promise<void>
}

/**
 * Start `/usr/sbin/sshd -D -e -f <temp config>` on a free loopback port, with a host key,
 * a client key and authorized_keys generated for this run, `Subsystem sftp internal-sftp`,
 * logging in as the current user. Stopped and removed at teardown. When sshd is missing
 * the test fails (never skips): `.ci/run` installs openssh-server.
 */
export async function startSshd (t: { teardown: (fn: () => Promise<void> | void) => void }): Promise<TestSshd> {
  if (!existsSync(SSHD)) throw new Error(`OpenSSH sshd is not installed (${SSHD} is missing). .ci/run installs openssh-server; on Debian: apt-get install openssh-server`)
  const base = mkdtempSync(join(tmpdir(), 'casebridge-sshd-'))
  const root = join(base, 'data')
  mkdirSync(root)
  const hostKey = join(base, 'ssh_host_ed25519_key')
  const clientKey = join(base, 'client_ed25519')
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'casebridge-test-host', '-f', hostKey])
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'casebridge-test-client', '-f', clientKey])
  const authorized = join(base, 'authorized_keys')
  writeFileSync(authorized, readFileSync(`${clientKey}.pub`))
  chmodSync(authorized, 0o600)
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${hostKey}.pub`], { encoding: 'utf8' }).split(' ')[1] ?? ''
  // sshd refuses to start without its privilege-separation directory (absent on fresh containers).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 })
  const port = await freePort()
  const username = userInfo().username
  const config = join(base, 'sshd_config')
  writeFileSync(config, [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${join(base, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorized}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin yes',
    'UsePAM no',
    'StrictModes no',
    `AllowUsers ${username}`,
    'Subsystem sftp internal-sftp',
    'LogLevel ERROR',
    '',
  ].join('\n'))

  let child: ChildProcess | undefined
  let output = ''
  const start = async (): Promise<void> => {
    const proc = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] })
    child = proc
    // A test process that dies without its teardown (a crash) must not leave its sshd behind.
    const orphanGuard = (): void => { try { if (proc.pid !== undefined && proc.exitCode === null) process.kill(proc.pid, 'SIGKILL') } catch { /* gone */ } }
    process.once('exit', orphanGuard)
    proc.once('exit', () => process.off('exit', orphanGuard))
    proc.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    proc.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString() })
    await waitFor(`sshd to answer on 127.0.0.1:${port}`, async () => {
      if (proc.exitCode !== null) throw new Error(`sshd exited with ${proc.exitCode}: ${output}`)
      return await sshBanner(port)
    }, { timeoutMs: 10_000, intervalMs: 50 })
  }
  const stop = async (): Promise<void> => {
    const proc = child
    child = undefined
    if (proc?.pid === undefined || proc.exitCode !== null) return
    // Connections are served by child processes in sessions of their own: kill them all.
    const exited = new Promise(resolve => proc.once('exit', resolve))
    for (const pid of [...descendantsOf(proc.pid), proc.pid]) {
      try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
    }
    await exited
  }
  t.teardown(async () => {
    await stop()
    rmSync(base, { recursive: true, force: true })
  })
  await start()
  return { host: '127.0.0.1', port, root, username, privateKeyFile: clientKey, hostKeyFingerprint: fingerprint, stop, start }
}

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')))
    })
  })
}

/** Whether an SSH server greets on `port`. */
async function sshBanner (port: number): Promise<boolean> {
  return await new Promise(resolve => {
    const socket = connect(port, '127.0.0.1')
    socket.setTimeout(1000)
    socket.once('data', chunk => { socket.destroy(); resolve(chunk.toString().startsWith('SSH-')) })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => { socket.destroy(); resolve(false) })
  })
}

/** Every process below `pid`, from /proc (children first found, then theirs). */
function descendantsOf (pid: number): number[] {
  const parents = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      const list = parents.get(ppid) ?? []
      list.push(Number(entry))
      parents.set(ppid, list)
    } catch { /* exited meanwhile */ }
  }
  const out: number[] = []
  const visit = (p: number): void => { for (const c of parents.get(p) ?? []) { out.push(c); visit(c) } }
  visit(pid)
  return out
}
