import type { Activation } from '@cellgraph/graph'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWebGpuContext, type WebGpuContext } from '../../src/index.js'
import type { KernelCall } from '../../src/webgpu/kernel.js'
import { paramWords } from '../../src/webgpu/kernel.js'
import { type MatmulSpec, type MatmulTuning, matmulKernel, tiledShape } from '../../src/webgpu/matmul.js'
import { GpuRuntime, usage } from '../../src/webgpu/runtime.js'
import { useSoftwareVulkan } from './softwareVulkan.js'

let context: WebGpuContext
let runtime: GpuRuntime
beforeAll(async () => {
  useSoftwareVulkan()
  context = await createWebGpuContext()
  runtime = new GpuRuntime(context.device)
}, 60_000)
afterAll(() => runtime.destroy())

/** Runs one kernel over an arena and returns the arena afterwards. */
async function runKernel(call: KernelCall, arena: Float32Array<ArrayBuffer>): Promise<Float32Array> {
  const { device } = runtime
  const buffer = runtime.createBuffer(
    arena.byteLength,
    usage.storage | usage.copySrc | usage.copyDst,
    'arena',
  )
  const params = runtime.createBuffer(paramWords * 4, usage.uniform | usage.copyDst, 'params')
  try {
    runtime.writeBuffer(buffer, 0, arena)
    const record = new Uint32Array(paramWords)
    record.set(call.params)
    runtime.writeBuffer(params, 0, record)
    const bindGroup = device.createBindGroup({
      layout: runtime.bindGroupLayout,
      entries: [
        { binding: 0, resource: { buffer } },
        { binding: 1, resource: { buffer: params, size: paramWords * 4 } },
      ],
    })
    const encoder = runtime.runEncoder()
    const pass = encoder.beginComputePass()
    pass.setPipeline(runtime.pipeline(call.wgsl))
    pass.setBindGroup(0, bindGroup, [0])
    pass.dispatchWorkgroups(...call.workgroups)
    pass.end()
    return await runtime.readFloats(buffer, 0, arena.length)
  } finally {
    runtime.destroyBuffer(buffer)
    runtime.destroyBuffer(params)
  }
}

const activations: Record<Activation, (x: number) => number> = {
  identity: (x) => x,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  relu: (x) => Math.max(x, 0),
}

interface Case {
  readonly m: number
  readonly n: number
  readonly k: number
  readonly transposeA: boolean
  readonly transposeB: boolean
  readonly biases: number
  readonly activation: Activation
  readonly seed: number
  /** Operands at multiples of 4 floats (arena regions are), so the tiled kernel may load vec4s. */
  readonly aligned?: boolean
  /** Products of this shape in one dispatch (a batch; then no biases). */
  readonly products?: number
}

/** A deterministic stream of values in (-1, 1) with some exact zeros and ones. */
function values(count: number, seed: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(count)
  let s = seed >>> 0 || 1
  for (let i = 0; i < count; i++) {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    out[i] = ((s >>> 0) / 0x100000000) * 2 - 1
  }
  return out
}

/**
 * Lays A, B, the biases and C out at odd offsets of one arena (C prefilled with NaN, so an
 * element left unwritten shows), runs the kernel and compares every element of C with a float64
 * product of the same float32 inputs. The bound scales with Σ|a·b|, float32's rounding of a sum.
 * With `products` > 1 (no biases), the kernel runs a batch: each product its own A, B and C.
 */
async function expectProduct(c: Case, tuning: MatmulTuning): Promise<KernelCall> {
  const products = c.products ?? 1
  const counts = [
    ...Array.from({ length: products }, () => [c.m * c.k, c.k * c.n]).flat(),
    ...Array.from({ length: c.biases }, () => c.n),
    ...Array.from({ length: products }, () => c.m * c.n),
  ]
  const offsets: number[] = []
  let size = 3
  for (const n of counts) {
    if (c.aligned) size = Math.ceil(size / 4) * 4
    offsets.push(size)
    size += n + 5
  }
  size = Math.ceil(size / 4) * 4 // whole vec4s, as a plan's arena
  const arena = values(size, c.seed)
  const operands = Array.from({ length: products }, (_, z) => ({
    a: offsets[2 * z]!,
    b: offsets[2 * z + 1]!,
    c: offsets[2 * products + c.biases + z]!,
  }))
  for (const o of operands) arena.fill(Number.NaN, o.c, o.c + c.m * c.n)
  const biasAt = offsets.slice(2 * products, 2 * products + c.biases)
  const [first, ...batch] = operands
  const spec: MatmulSpec = { ...c, ...first!, biases: biasAt, ...(batch.length > 0 ? { batch } : {}) }
  const call = matmulKernel(spec, { tuning, subgroups: context.subgroups === true })
  const out = await runKernel(call, arena)
  const act = activations[c.activation]
  for (const { a: aAt, b: bAt, c: cAt } of operands) {
    const a = (m: number, k: number) => arena[aAt + (c.transposeA ? k * c.m + m : m * c.k + k)]!
    const b = (k: number, n: number) => arena[bAt + (c.transposeB ? n * c.k + k : k * c.n + n)]!
    for (let m = 0; m < c.m; m++)
      for (let n = 0; n < c.n; n++) {
        let sum = 0
        let magnitude = 0
        for (let k = 0; k < c.k; k++) {
          sum += a(m, k) * b(k, n)
          magnitude += Math.abs(a(m, k) * b(k, n))
        }
        for (const o of biasAt) {
          sum += arena[o + n]!
          magnitude += Math.abs(arena[o + n]!)
        }
        const want = act(sum)
        const got = out[cAt + m * c.n + n]!
        if (!(Math.abs(got - want) <= 2e-6 * (magnitude + 1)))
          throw new Error(
            `C[${m},${n}] = ${got}, float64 product ${want} (${JSON.stringify(c)}, ${JSON.stringify(tuning)})`,
          )
      }
  }
  // Nothing outside the Cs was written.
  const inC = (i: number) => operands.some((o) => i >= o.c && i < o.c + c.m * c.n)
  for (let i = 0; i < size; i++)
    if (!inC(i) && !Object.is(out[i], arena[i]))
      throw new Error(`arena[${i}] outside C changed (${JSON.stringify(c)}, ${JSON.stringify(tuning)})`)
  if (call.kind !== 'product') throw new Error(`a matrix product kernel says it is a '${call.kind}'`)
  return call
}

const edge = [1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 63, 64, 65, 70]
const depths = [1, 2, 3, 4, 5, 8, 15, 16, 17, 31, 33, 64, 129, 257, 600]
const cases = (maxWork: number): fc.Arbitrary<Case> =>
  fc
    .record({
      m: fc.constantFrom(...edge),
      n: fc.constantFrom(...edge),
      k: fc.constantFrom(...depths),
      transposeA: fc.boolean(),
      transposeB: fc.boolean(),
      biases: fc.integer({ min: 0, max: 2 }),
      activation: fc.constantFrom<Activation>('identity', 'sigmoid', 'tanh', 'relu'),
      seed: fc.integer({ min: 1, max: 0x7fffffff }),
      aligned: fc.boolean(),
    })
    .filter((c) => c.m * c.n * c.k <= maxWork)

/** Every kernel the chooser can return, forced onto every shape. */
const variants: readonly MatmulTuning[] = [
  { variant: 'narrow', subgroups: false },
  { variant: 'narrow', subgroups: true },
  { variant: 'tiled', tile: 64 },
  { variant: 'tiled', tile: 32, splitK: 1 },
  { variant: 'tiled', tile: 32, splitK: 2 },
  { variant: 'tiled', tile: 32, splitK: 4 },
  {},
]

/** Every operand layout: [transposeA, transposeB]. */
const layouts = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const

describe('webgpu matrix products against a float64 product', { timeout: 300_000 }, () => {
  it('runs on a device with subgroups where the adapter offers them (SwiftShader does)', () => {
    // The subgroup path of the narrow kernel is only exercised where the feature is present.
    expect(context.subgroups).toBe(true)
  })

  for (const tuning of variants)
    it(`computes op(A)·op(B) + biases, activated: ${JSON.stringify(tuning)}`, async () => {
      await fc.assert(
        fc.asyncProperty(cases(30_000), async (c) => {
          await expectProduct(c, tuning)
        }),
        { numRuns: 15 },
      )
    })

  it('handles the edge shapes for every variant and layout (1, K=1, large K, non-multiples of tiles and of 4)', async () => {
    const shapes: [number, number, number][] = [
      [1, 1, 1],
      [1, 33, 1],
      [3, 5, 600],
      [65, 7, 3],
    ]
    // Each layout meets each shape across the variants (a rotation), not every triple: software is slow.
    for (const [v, tuning] of variants.entries())
      for (const [l, [transposeA, transposeB]] of layouts.entries()) {
        const [m, n, k] = shapes[(v + l) % shapes.length]!
        await expectProduct(
          { m, n, k, transposeA, transposeB, biases: 1, activation: 'tanh', seed: v * 4 + l + 1 },
          tuning,
        )
      }
  })

  it('runs a batch of same-shaped products in one dispatch, each on its own operands', async () => {
    // Every variant, rotated through the layouts and shapes, 2 to 4 products, aligned or not.
    const shapes: [number, number, number][] = [
      [3, 5, 40],
      [33, 9, 20],
      [66, 35, 5],
    ]
    for (const [v, tuning] of variants.entries()) {
      const [transposeA, transposeB] = layouts[v % layouts.length]!
      const [m, n, k] = shapes[v % shapes.length]!
      const products = 2 + (v % 3)
      const c = { m, n, k, transposeA, transposeB, biases: 0, activation: 'identity' } as const
      const call = await expectProduct({ ...c, products, aligned: v % 2 === 0, seed: 7 * v + 1 }, tuning)
      expect(call.workgroups[2]).toBe(products)
    }
    const spec = { m: 2, n: 2, k: 2, transposeA: false, transposeB: false, activation: 'identity' } as const
    expect(() =>
      matmulKernel({ ...spec, a: 0, b: 4, c: 8, biases: [12], batch: [{ a: 16, b: 20, c: 24 }] }),
    ).toThrow('a batch of matrix products cannot take biases')
  })

  it('loads aligned operands as vec4s in every layout, and unaligned ones as floats', async () => {
    for (const tuning of [
      { variant: 'tiled', tile: 64 },
      { variant: 'tiled', tile: 32, splitK: 2 },
    ] as const)
      for (const [m, n, k] of [
        [12, 8, 20],
        [68, 36, 4],
      ] as const)
        for (const [transposeA, transposeB] of layouts) {
          const c = {
            m,
            n,
            k,
            transposeA,
            transposeB,
            biases: 2,
            activation: 'sigmoid',
            seed: m + n + k,
          } as const
          expect((await expectProduct({ ...c, aligned: true }, tuning)).wgsl).toContain('vec4<f32>()')
        }
    // K = 22 is no multiple of 4: neither operand's contiguous axis splits into vec4s.
    const unaligned = {
      m: 12,
      n: 8,
      k: 22,
      transposeA: false,
      transposeB: true,
      biases: 0,
      activation: 'identity',
      seed: 3,
    } as const
    expect((await expectProduct(unaligned, { variant: 'tiled' })).wgsl).not.toContain('vec4<f32>()')
    expect(
      (await expectProduct({ ...unaligned, k: 20, aligned: true }, { variant: 'tiled', vec4: false })).wgsl,
    ).not.toContain('vec4<f32>()')
  })
})

describe('choosing a product kernel', () => {
  const spec = (m: number, n: number, k: number): MatmulSpec => ({
    m,
    n,
    k,
    transposeA: true,
    transposeB: false,
    a: 0,
    b: 0,
    c: 0,
    biases: [],
    activation: 'identity',
  })

  it('splits K inside the workgroup only where the tiles leave a large GPU idle', () => {
    // The bench's weight gradients (outer sums over B·T rows): medium input, medium hidden, large hidden.
    expect(tiledShape(spec(64, 1024, 2048), {})).toEqual({ tile: 32, splitK: 4 })
    expect(tiledShape(spec(256, 1024, 2048), {})).toEqual({ tile: 32, splitK: 1 })
    expect(tiledShape(spec(512, 2048, 8192), {})).toEqual({ tile: 64, splitK: 1 })
    // Input projections over all steps (M = B·T): large tiles.
    expect(tiledShape(spec(2048, 1024, 64), {})).toEqual({ tile: 64, splitK: 1 })
    // A small K is not worth splitting.
    expect(tiledShape(spec(64, 64, 100), {})).toEqual({ tile: 32, splitK: 1 })
  })

  it('gives the small-M products many workgroups, one dispatch each', () => {
    const opts = { tuning: {}, subgroups: false }
    // Medium recurrent product (M = batch 32, N = 4·256, K = 256): 128 column blocks × 4 row blocks.
    const recurrent = matmulKernel({ ...spec(32, 1024, 256), transposeA: false, transposeB: true }, opts)
    expect(recurrent.workgroups).toEqual([128, 4, 1])
    // Backward δ·W (B stored [K,N]): 64 columns per workgroup.
    const back = matmulKernel({ ...spec(32, 256, 1024), transposeA: false }, opts)
    expect(back.workgroups).toEqual([4, 4, 1])
  })

  it('rejects impossible tunings and shapes with the field named', () => {
    expect(() => tiledShape(spec(8, 8, 8), { tile: 64, splitK: 4 })).toThrow(/splitK 4 needs tile 32/)
    expect(() => matmulKernel(spec(0, 8, 8))).toThrow(/m = 0 is not a positive integer/)
  })
})
