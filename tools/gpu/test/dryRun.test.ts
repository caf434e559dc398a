import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const here = fileURLToPath(new URL('..', import.meta.url))

// The whole device script on SwiftShader, quick: bundles built into a folder of its own, then
// every step at the smallest sizes (two conformance models, one sweep setting). What the GPU
// machine runs, less the unpacking of node, Dawn and the Vulkan loader.
describe('the device script, dry run', () => {
  it('runs every step and leaves summary.md, results.tgz and log.txt in $OUT', () => {
    const kit = mkdtempSync(join(tmpdir(), 'gpukit-kit-'))
    const out = mkdtempSync(join(tmpdir(), 'gpukit-out-'))
    const env = { ...process.env, GPUKIT_DIR: kit, OUT: out, GPUKIT_QUICK: '1' }
    execFileSync(process.execPath, [join(here, 'dist/prepare.js'), '--bundles-only'], { env, stdio: 'pipe' })
    execFileSync('bash', [join(here, 'device.sh'), '--dry-run'], { env, stdio: 'pipe' })
    for (const f of ['summary.md', 'results.tgz', 'log.txt']) expect(existsSync(join(out, f))).toBe(true)
    const summary = readFileSync(join(out, 'summary.md'), 'utf8')
    expect(summary).toMatch(/^## WebGPU on .*swiftshader/im)
    expect(summary).toMatch(/Conformance on WebGPU .*: 4 of 4 cases within the suite's tolerance/)
    expect(summary).toMatch(/\| small +\| training step \| cellgraph webgpu +\| +[\d.]+ \|/)
    expect(summary).toMatch(/\| small +\| inference +\| cellgraph webgpu \[layer_norm_lstm\] \| product/)
    expect(summary).toMatch(/cellgraph train --backend webgpu: [\d,.]+ tokens\/s/)
    expect(summary).toMatch(/cellgraph train --backend cpu-wasm: [\d,.]+ tokens\/s/)
    expect(summary).toContain('Product-kernel sweep')
    const steps = summary.slice(summary.indexOf('Steps (name'))
    for (const step of [
      'adapter',
      'conformance',
      'bench',
      'torch-cuda',
      'train-webgpu',
      'train-cpu',
      'torch-custom',
    ])
      expect(steps).toMatch(new RegExp(`^${step} 0 \\d+$`, 'm'))
    const log = readFileSync(join(out, 'log.txt'), 'utf8')
    if (!log.includes('torch-cuda (at most')) throw new Error('no peer step in the log')
    expect(log).toMatch(/skipped: no PyTorch with CUDA here|torch-cuda lstm small/)
    for (const dir of [kit, out]) rmSync(dir, { recursive: true })
  })
})
