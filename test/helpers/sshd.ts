import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'
import { waitFor } from './wait-for.js'
import { freePort } from '../../fixtures/sim-shared/free-port.js'

const SSHD = '/usr/sbin/sshd'
/** OpenSSH's stand-alone SFTP server (package openssh-sftp-server, which openssh-server pulls in). */
const SFTP_SERVER = '/usr/lib/openssh/sftp-server'
/** The unprivileged login of `dedicatedUser` mode; it exists only inside the test sshd's mount namespace. */
const TEST_USER = { name: 'cbsftp-test', uid: 54321 }

/** How the test server differs from the default (internal-sftp, key login as the current user). */
export interface SshdOptions {
  /**
   * Log in as an unprivileged user that exists only for this server, with a password
   * generated for this run (and the usual key). sshd runs in a mount namespace of its own
   * (`unshare -m`, so root is needed, as in CI) where /etc/passwd, /etc/group and
   * /etc/shadow are bind-mounted copies holding that user: nothing on the machine changes,
   * no other process sees the user, and the system's sshd is not touched. As a non-root
   * login, file permissions apply (a file mode 600 owned by root cannot be read).
   */
  readonly dedicatedUser?: boolean
  /** Serve SFTP with OpenSSH's sftp-server logging every request (`-l INFO`); `sftpLog()` reads it. */
  readonly logRequests?: boolean
  /** SFTP requests the server refuses and does not advertise (`sftp-server -P`), e.g. ['posix-rename']. Implies logRequests. */
  readonly deniedRequests?: readonly string[]
}

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
  /** `dedicatedUser` mode: the login's password (password authentication is on). */
  readonly password?: string
  /** With `logRequests`: what sftp-server logged so far, one request a line ("posix-rename old … new …"). */
  sftpLog (): string
}

/**
 * Start `/usr/sbin/sshd -D -e -f <temp config>` on a free loopback port, with a host key,
 * a client key and authorized_keys generated for this run, `Subsystem sftp internal-sftp`,
 * logging in as the current user. Stopped and removed at teardown. When sshd is missing
 * the test fails (never skips): `.ci/run` installs openssh-server.
 */
export async function startSshd (t: { teardown: (fn: () => Promise<void> | void) => void }, options: SshdOptions = {}): Promise<TestSshd> {
  if (!existsSync(SSHD)) throw new Error(`OpenSSH sshd is not installed (${SSHD} is missing). .ci/run installs openssh-server; on Debian: apt-get install openssh-server`)
  const logRequests = options.logRequests === true || (options.deniedRequests?.length ?? 0) > 0
  if (logRequests && !existsSync(SFTP_SERVER)) throw new Error(`OpenSSH sftp-server is not installed (${SFTP_SERVER} is missing); on Debian: apt-get install openssh-sftp-server`)
  const base = mkdtempSync(join(tmpdir(), 'casebridge-sshd-'))
  const root = join(base, 'data')
  mkdirSync(root)
  const sftpLogFile = join(base, 'sftp-log', 'requests.log')
  mkdirSync(join(base, 'sftp-log'))
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
  const dedicated = options.dedicatedUser === true ? dedicatedUser(base, root) : undefined
  const username = dedicated?.username ?? userInfo().username
  const subsystem = logRequests
    // Run through the login's shell: stderr (where -e sends the log) would otherwise go to the SSH channel.
    ? `exec ${SFTP_SERVER} -e -l INFO${options.deniedRequests === undefined ? '' : ` -P ${options.deniedRequests.join(',')}`} 2>>${sftpLogFile}`
    : 'internal-sftp'
  const config = join(base, 'sshd_config')
  writeFileSync(config, [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${hostKey}`,
    `PidFile ${join(base, 'sshd.pid')}`,
    `AuthorizedKeysFile ${authorized}`,
    'PubkeyAuthentication yes',
    `PasswordAuthentication ${dedicated === undefined ? 'no' : 'yes'}`,
    'KbdInteractiveAuthentication no',
    'PermitRootLogin yes',
    'UsePAM no',
    'StrictModes no',
    `AllowUsers ${username}`,
    `Subsystem sftp ${subsystem}`,
    'LogLevel ERROR',
    '',
  ].join('\n'))

  let child: ChildProcess | undefined
  let output = ''
  const start = async (): Promise<void> => {
    const proc = dedicated === undefined
      ? spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] })
      // unshare execs sh, which execs sshd: the child's pid is sshd's, as without a namespace.
      : spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${dedicated.mounts} && exec ${SSHD} -D -e -f ${config}`], { stdio: ['ignore', 'pipe', 'pipe'] })
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
  return {
    host: '127.0.0.1', port, root, username, privateKeyFile: clientKey, hostKeyFingerprint: fingerprint, stop, start,
    ...(dedicated === undefined ? {} : { password: dedicated.password }),
    sftpLog: () => existsSync(sftpLogFile) ? readFileSync(sftpLogFile, 'utf8') : '',
  }
}

/**
 * The files of `dedicatedUser` mode: copies of /etc/passwd and /etc/group with the test
 * user added, a shadow file holding only that user's password hash (SHA-512 crypt by
 * `openssl passwd -6`), and the shell command that bind-mounts them inside the namespace.
 * The user owns the served directory and the request log; the keys must be readable by it
 * (sshd reads authorized_keys as the user).
 */
function dedicatedUser (base: string, root: string): { username: string; password: string; mounts: string } {
  const { name, uid } = TEST_USER
  const password = randomBytes(18).toString('base64url')
  const hash = execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: password, encoding: 'utf8' }).trim()
  const etc = join(base, 'etc')
  mkdirSync(etc)
  const withoutUser = (file: string): string => readFileSync(file, 'utf8').split('\n').filter(l => l !== '' && !l.startsWith(`${name}:`)).join('\n')
  writeFileSync(join(etc, 'passwd'), `${withoutUser('/etc/passwd')}\n${name}:x:${uid}:${uid}:CaseBridge SFTP test:${root}:/bin/sh\n`)
  writeFileSync(join(etc, 'group'), `${withoutUser('/etc/group')}\n${name}:x:${uid}:\n`)
  writeFileSync(join(etc, 'shadow'), `${name}:${hash}:19000:0:99999:7:::\n`, { mode: 0o600 })
  chmodSync(base, 0o755)
  for (const file of readdirSync(base)) if (file.endsWith('.pub') || file === 'authorized_keys') chmodSync(join(base, file), 0o644)
  chownSync(root, uid, uid)
  chownSync(join(base, 'sftp-log'), uid, uid)
  const mounts = ['passwd', 'group', 'shadow'].map(f => `mount --bind ${join(etc, f)} /etc/${f}`).join(' && ')
  return { username: name, password, mounts }
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
