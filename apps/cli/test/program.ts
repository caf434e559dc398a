import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'

const bin = fileURLToPath(new URL('../dist/main.js', import.meta.url))

/** The built program, run in a fresh temporary folder; `at` names a file in that folder. */
export function programIn(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  const at = (name: string) => join(dir, name)
  const cellgraph = (...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 })
    return { status: r.status, stdout: r.stdout, stderr: r.stderr }
  }
  return { dir, at, cellgraph }
}

/** A failure: non-zero exit, and stderr is exactly one line naming the command, no stack trace. */
export function expectOneLineError(
  r: { status: number | null; stderr: string },
  pattern: RegExp,
  command: string,
) {
  expect(r.status).not.toBe(0)
  const lines = r.stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('step ') && !l.startsWith('Run '))
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(new RegExp(`^cellgraph ${command}: `))
  expect(lines[0]).toMatch(pattern)
  expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
}
