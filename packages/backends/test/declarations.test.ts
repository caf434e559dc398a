import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

const dist = new URL('../dist/', import.meta.url).pathname
const declarations = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? declarations(join(dir, e.name)) : e.name.endsWith('.d.ts') ? [join(dir, e.name)] : [],
  )

// Users type-check the declaration files without @webgpu/types (tools/pack-check does, on the
// tarballs): every WebGPU name in a public signature must be one that src/webgpu/gpuTypes.ts
// declares as a mergeable interface.
describe('the declaration files', () => {
  it('name only the WebGPU types gpuTypes.ts declares', () => {
    const declared = new Set(
      [
        ...readFileSync(new URL('../src/webgpu/gpuTypes.ts', import.meta.url), 'utf8').matchAll(
          /interface (GPU\w+)/g,
        ),
      ].map((m) => m[1]!),
    )
    const used = new Set<string>()
    for (const file of declarations(dist))
      for (const line of readFileSync(file, 'utf8').split('\n'))
        if (!line.trim().startsWith('*') && !line.trim().startsWith('/'))
          for (const m of line.matchAll(/\bGPU[A-Z]\w*/g)) used.add(m[0])
    expect([...used].filter((n) => !declared.has(n)).sort()).toEqual([])
  })
})
