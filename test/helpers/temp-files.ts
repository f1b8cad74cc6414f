import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A temporary folder removed at teardown; `write(name, text)` returns the file's path. */
export function tempDir (t: { teardown: (fn: () => void) => void }, label = 'casebridge-test-'): { dir: string; write: (name: string, text: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), label))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  return {
    dir,
    write (name, text) {
      const file = join(dir, name)
      writeFileSync(file, text)
      return file
    },
  }
}
