import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const bin = fileURLToPath(new URL('../dist/main.js', import.meta.url))

describe('cellgraph demo', () => {
  it('prints the LSTM graph and six steps of h', () => {
    const out = execFileSync(process.execPath, [bin, 'demo'], { encoding: 'utf8' })
    expect(out).toContain('%c_next = add')
    expect(out).toContain('layer{activation=sigmoid} %hx, %f.W')
    const steps = out.split('\n').filter((l) => /^ {2}t=\d/.test(l))
    expect(steps).toHaveLength(6)
    for (const line of steps) {
      const values = [...line.matchAll(/-?\d+\.\d{4}/g)].map((m) => Number(m[0]))
      expect(values).toHaveLength(4)
      for (const v of values) expect(Math.abs(v)).toBeLessThan(1) // h = o * tanh(c) lies in (-1, 1)
    }
  })

  it('fails with a clear message on an unknown command', () => {
    expect(() => execFileSync(process.execPath, [bin, 'nope'], { encoding: 'utf8', stdio: 'pipe' })).toThrow(
      /unknown command 'nope'/,
    )
  })
})
