import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const bin = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'cellgraph-hostile-'))
const at = (name: string) => join(dir, name)

function cellgraph(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir, timeout: 120_000 })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** A failure: non-zero exit, one line on stderr naming the command, no stack trace. */
function expectOneLineError(r: ReturnType<typeof cellgraph>, pattern: RegExp, command: string) {
  expect(r.status).not.toBe(0)
  const lines = r.stderr
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('step ') && !l.startsWith('Run '))
  expect(lines).toHaveLength(1)
  expect(lines[0]).toMatch(new RegExp(`^cellgraph ${command}: `))
  expect(lines[0]).toMatch(pattern)
  expect(r.stderr).not.toMatch(/\n\s+at /)
}

describe('hostile command lines', () => {
  it('--cell names of Object.prototype are unknown cells, not JavaScript errors', () => {
    for (const name of ['constructor', '__proto__', 'toString'])
      expectOneLineError(
        cellgraph('train', '--cell', name, '--checkpoint', at('c.safetensors')),
        /neither a built-in cell/,
        'train',
      )
  })
})
