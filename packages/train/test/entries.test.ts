import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { decodeSafetensors, encodeSafetensors } from '../src/index.js'

const src = new URL('../src/', import.meta.url).pathname

/** The relative imports of a source file, resolved to source paths. */
function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/from '(\.[^']+)\.js'/g)].map((m) => {
    const path = join(file, '..', m[1]!)
    return statSync(`${path}.ts`, { throwIfNoEntry: false }) ? `${path}.ts` : join(path, 'index.ts')
  })
}

describe('the root entry is browser-safe', () => {
  it('no module reachable from src/index.ts imports node: or uses Buffer', () => {
    const seen = new Set<string>()
    const todo = [join(src, 'index.ts')]
    while (todo.length > 0) {
      const file = todo.pop()!
      if (seen.has(file)) continue
      seen.add(file)
      const text = readFileSync(file, 'utf8')
      expect(text, file).not.toMatch(/from 'node:|import\('node:/)
      expect(text, file).not.toMatch(/\bBuffer\.\w/)
      todo.push(...localImports(file))
    }
    expect(seen.size).toBeGreaterThan(20)
    // The file helpers exist, behind the Node entry only.
    expect(readdirSync(join(src, 'node')).sort()).toEqual([
      'atomicWrite.ts',
      'checkpointFile.ts',
      'checkpointPath.ts',
      'fileCorpus.ts',
      'regularFile.ts',
      'staleTemps.ts',
    ])
  })

  it('safetensors round-trips without Buffer (as in a browser)', () => {
    const saved = globalThis.Buffer
    // @ts-expect-error: simulate a host without Buffer
    delete globalThis.Buffer
    try {
      const bytes = encodeSafetensors(
        { 'w.é': { dtype: 'F32', shape: [2], data: Float32Array.of(1.5, -2) } },
        { note: 'ünïcode' },
      )
      expect(bytes).toBeInstanceOf(Uint8Array)
      expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0)
      const back = decodeSafetensors(bytes)
      expect(Array.from(back.tensors['w.é']!.data)).toEqual([1.5, -2])
      expect(back.metadata.note).toBe('ünïcode')
    } finally {
      globalThis.Buffer = saved
    }
  })
})
