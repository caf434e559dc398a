import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import {
  apply,
  createKernels,
  createKernelsSync,
  input,
  type Kernels,
  ModuleBuilder,
  rowInput,
} from '../src/index.js'
import { HelperThread, STALL_TICK_MS } from '../src/threads/helperThread.js'
import { helperMain, slot } from '../src/threads/workerMain.js'
import { checkGemm, gemmCase, newArena } from './gemmCase.js'
import { randomFloats } from './reference.js'

const runs = Number(process.env.CELLGRAPH_PROPERTY_RUNS ?? 40)

describe('two threads over shared memory', () => {
  const arena = newArena(true)
  let kernels: Kernels
  // parallelFlops 0 splits every product, so small random shapes exercise both split directions
  beforeAll(async () => {
    kernels = await createKernels({
      memory: arena.memory,
      arena,
      threads: 2,
      parallelFlops: 0,
      tiling: { kc: 9, mc: 10 },
    })
  })
  afterAll(() => kernels.dispose())

  test('split products match the float64 reference', () => {
    const k = kernels
    expect(k.threads).toBe(2)
    fc.assert(
      fc.property(gemmCase(48), fc.boolean(), (cs, prepacked) => {
        expect(checkGemm(k, arena, cs, prepacked)).toBeUndefined()
      }),
      { numRuns: runs },
    )
  })

  test('large products split by columns and by rows, packing B and Aᵀ split too', () => {
    const base = {
      padA: 0,
      padB: 1,
      padC: 0,
      alpha: 1,
      accumulate: true,
      transA: false,
      transB: false,
      seed: 3,
    }
    // N = 700 (many panels) splits columns; N = 10 (one panel) with M = 90 splits rows
    expect(checkGemm(kernels, arena, { ...base, M: 33, N: 700, K: 200 }, false)).toBeUndefined()
    expect(checkGemm(kernels, arena, { ...base, M: 90, N: 10, K: 50, transA: true }, true)).toBeUndefined()
    // Aᵀ large enough to be packed first, its 2-row panels split too (an odd M pads the last one)
    expect(checkGemm(kernels, arena, { ...base, M: 257, N: 40, K: 600, transA: true }, true)).toBeUndefined()
  })

  test('after dispose, a product that needs the helper is a named error, not a hang', async () => {
    const k = await createKernels({ memory: arena.memory, arena, threads: 2, parallelFlops: 0 })
    k.dispose()
    k.dispose()
    const base = {
      padA: 0,
      padB: 0,
      padC: 0,
      alpha: 1,
      accumulate: false,
      transA: false,
      transB: false,
      seed: 1,
    }
    expect(() => checkGemm(k, arena, { ...base, M: 4, N: 40, K: 4 }, true)).toThrow(
      /threads: the kernels were disposed/,
    )
  })

  test("the helper's program repeats the control block's layout exactly", () => {
    const source = helperMain.toString()
    for (const [name, index] of Object.entries(slot))
      expect(source, name).toMatch(new RegExp(`const ${name} = ${index}\\b`))
  })

  test('the time the caller waits idle for the helper is counted as stalled', async () => {
    // a job that keeps the helper busy: n iterations of an empty loop
    const mod = new ModuleBuilder({ shared: true })
    const busy = mod.function('busy', [['n', 'i32']])
    const i = busy.local('i32', 'i')
    busy.forLoop(
      i,
      () => busy.i32(0),
      () => busy.get(busy.param('n')),
      1,
      () => {},
    )
    const module = new WebAssembly.Module(mod.encode() as BufferSource)
    const helper = await HelperThread.start(module, arena.memory, [{ name: 'busy', floatArgs: [] }])
    const args = new Array(16).fill(0)
    args[0] = 1e3
    helper.post(0, args)
    helper.wait()
    const quick = helper.stallTicks
    args[0] = 2e8
    const start = performance.now()
    helper.post(0, args)
    helper.wait()
    const waitedMs = performance.now() - start
    const counted = (helper.stallTicks - quick) * STALL_TICK_MS
    helper.stop()
    expect(waitedMs).toBeGreaterThan(5)
    // each tick is a spin round and then a wait of up to STALL_TICK_MS, so the count never exceeds
    // the wall clock; how close it comes depends on how often the OS runs the caller (a loaded
    // machine runs it less), so only a lower bound of several ticks is a fact about the code
    expect(counted).toBeGreaterThanOrEqual(10 * STALL_TICK_MS)
    expect(counted).toBeLessThanOrEqual(waitedMs)
  })

  test('a large fused kernel call shared with the helper gives the same floats as one thread', () => {
    // y = tanh(x·s_r + b) + k: x [rows, cols], a value per row s_r, a bias row b, a scalar k
    const exprs = [
      apply('add', apply('tanh', apply('add', apply('mul', input(0), rowInput(1)), input(2))), rowInput(3)),
    ]
    const shared = kernels.fused(exprs)
    const alone = createKernelsSync({ memory: arena.memory }).fused(exprs)
    for (const [rows, cols] of [
      [37, 211],
      [1, 10_003], // one long row: split by 4-column groups
    ] as const) {
      const x = arena.allocFloats(rows * cols)
      const s = arena.allocFloats(rows)
      const b = arena.allocFloats(cols)
      const k = arena.allocFloats(1)
      const [y1, y2] = [arena.allocFloats(rows * cols + 4), arena.allocFloats(rows * cols + 4)]
      const floats = new Float32Array(arena.memory.buffer) // after the memory grew
      floats.set(randomFloats(rows * cols, rows), x / 4)
      floats.set(randomFloats(rows, rows + 1), s / 4)
      floats.set(randomFloats(cols, rows + 2), b / 4)
      floats[k / 4] = 0.25
      floats.fill(-9, y1 / 4, y1 / 4 + rows * cols + 4)
      const bias = rows === 1 ? cols : 0 // a dense long row reads b as a row of its own
      shared.split(rows, cols, x, cols, s, 1, b, bias, k, 0, y1, cols)
      alone.raw(rows, cols, x, cols, s, 1, b, bias, k, 0, y2, cols)
      const got = floats.subarray(y1 / 4, y1 / 4 + rows * cols + 1)
      expect(Array.from(got.subarray(0, rows * cols))).toEqual(
        Array.from(floats.subarray(y2 / 4, y2 / 4 + rows * cols)),
      )
      expect(got[rows * cols]).toBe(-9) // nothing past the end
    }
  })

  test('a shared column sum (an output of row stride 0, added row after row) keeps its order', () => {
    // out[j] += x[r, j] for every row: split by columns, never by rows
    const sum = [apply('add', input(0), input(1))]
    const [rows, cols] = [300, 66]
    const x = arena.allocFloats(rows * cols)
    const [s1, s2] = [arena.allocFloats(cols), arena.allocFloats(cols)]
    const floats = new Float32Array(arena.memory.buffer)
    floats.set(randomFloats(rows * cols, 11), x / 4)
    floats.fill(0, s2 / 4, s2 / 4 + cols)
    createKernelsSync({ memory: arena.memory }).fused(sum).raw(rows, cols, s2, 0, x, cols, s2, 0)
    const want = Array.from(floats.subarray(s2 / 4, s2 / 4 + cols))
    expect(want[5]).toBeCloseTo(
      Array.from({ length: rows }, (_, r) => floats[x / 4 + r * cols + 5]!).reduce((a, b) => a + b),
      3,
    )
    // a split by rows races on the sums: many tries so that it cannot pass by luck
    for (let trial = 0; trial < 30; trial++) {
      floats.fill(0, s1 / 4, s1 / 4 + cols)
      kernels.fused(sum).split(rows, cols, s1, 0, x, cols, s1, 0)
      expect(Array.from(floats.subarray(s1 / 4, s1 / 4 + cols)), `trial ${trial}`).toEqual(want)
    }
  })

  test('threads need a shared memory', async () => {
    const plain = newArena(false)
    await expect(createKernels({ memory: plain.memory, threads: 2 })).rejects.toThrow(
      /threads: the memory must be shared/,
    )
    await expect(createKernels({ memory: plain.memory, threads: 3 as 2 })).rejects.toThrow(
      /threads = 3, expected 1 or 2/,
    )
  })
})
