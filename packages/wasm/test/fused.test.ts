import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import {
  apply,
  constant,
  createKernelsSync,
  type Expr,
  input,
  type PointwiseOp,
  pointwiseOps,
  rowInput,
} from '../src/index.js'
import { randomFloats } from './reference.js'

const runs = Number(process.env.CELLGRAPH_PROPERTY_RUNS ?? 60)
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x))

/** Float64 meaning of each op, written independently of the emitter. */
const meaning: { readonly [K in PointwiseOp]: (...args: number[]) => number } = {
  neg: (a) => -a!,
  oneMinus: (a) => 1 - a!,
  abs: (a) => Math.abs(a!),
  relu: (a) => Math.max(0, a!),
  sqrt: (a) => Math.sqrt(a!),
  rsqrt: (a) => 1 / Math.sqrt(a!),
  exp: (a) => Math.exp(a!),
  sigmoid: (a) => sigmoid(a!),
  tanh: (a) => Math.tanh(a!),
  add: (a, b) => a! + b!,
  sub: (a, b) => a! - b!,
  mul: (a, b) => a! * b!,
  div: (a, b) => a! / b!,
  max: (a, b) => Math.max(a!, b!),
  min: (a, b) => Math.min(a!, b!),
  greater: (a, b) => (a! > b! ? 1 : 0),
  isfinite: (a) => (Number.isFinite(a!) ? 1 : 0),
  where: (c, a, b) => (c !== 0 ? a! : b!),
}

const memory = new WebAssembly.Memory({ initial: 16 })
const kernels = createKernelsSync({ memory })
const floats = () => new Float32Array(memory.buffer)

describe('fused pointwise kernels', () => {
  test.each(Object.keys(pointwiseOps) as PointwiseOp[])(
    '%s matches its float64 meaning (vector body and tail)',
    (op) => {
      const { arity } = pointwiseOps[op]
      const kernel = kernels.fused([apply(op, ...Array.from({ length: arity }, (_, k) => input(k)))])
      const n = 11
      const positive = op === 'sqrt' || op === 'rsqrt'
      const args = Array.from({ length: arity }, (_, k) => {
        const values = randomFloats(n, 17 + k).map((v) => (positive ? Math.abs(v) * 4 + 0.01 : v * 4))
        if (op === 'where' && k === 0) values.forEach((v, i) => (values[i] = i % 3 === 0 ? 0 : v))
        floats().set(values, k * 16)
        return values
      })
      kernel.run(
        1,
        n,
        args.map((_, k) => ({ offset: k * 64, ld: 0 })),
        [{ offset: 1024, ld: 0 }],
      )
      const got = floats().subarray(256, 256 + n)
      for (let i = 0; i < n; i++) {
        const exact = meaning[op](...args.map((a) => a[i]!))
        expect(Math.abs(got[i]! - exact), `${op} at ${i}`).toBeLessThanOrEqual(3e-7 * Math.abs(exact) + 1e-30)
      }
    },
  )

  test('isfinite is 0 exactly at NaN and ±Infinity, 1 at every finite float32 (vector body and tail)', () => {
    const kernel = kernels.fused([apply('isfinite', input(0))])
    const values = [
      1,
      Number.NaN,
      Infinity,
      -Infinity,
      0,
      -0,
      3.4028234663852886e38,
      -3.4e38,
      1e-45,
      Number.NaN,
      -Infinity,
    ]
    floats().set(values, 0)
    kernel.run(1, values.length, [{ offset: 0, ld: 0 }], [{ offset: 1024, ld: 0 }])
    expect([...floats().subarray(256, 256 + values.length)]).toEqual(
      values.map((v) => (Number.isFinite(v) ? 1 : 0)),
    )
  })

  test('a fused LSTM tail over [B, 4H] gates: strided column slices, shared subexpressions, two outputs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 13 }),
        fc.integer(),
        (B, H, seed) => {
          // gates row b = [i | f | g | o], each H wide; c and h are [B, H]
          const [i, f, g, o] = [input(0), input(1), input(2), input(3)]
          const cPrev = input(4)
          const c: Expr = apply(
            'add',
            apply('mul', apply('sigmoid', f), cPrev),
            apply('mul', apply('sigmoid', i), apply('tanh', g)),
          )
          const h = apply('mul', apply('sigmoid', o), apply('tanh', c))
          const kernel = kernels.fused([c, h])
          const gatesAt = 0
          const cPrevAt = B * 4 * H * 4
          const cAt = cPrevAt + B * H * 4
          const hAt = cAt + B * H * 4
          const gv = randomFloats(B * 4 * H, seed).map((v) => v * 6)
          const cv = randomFloats(B * H, seed + 1).map((v) => v * 2)
          floats().set(gv, gatesAt / 4)
          floats().set(cv, cPrevAt / 4)
          kernel.run(
            B,
            H,
            [0, 1, 2, 3]
              .map((k) => ({ offset: gatesAt + k * H * 4, ld: 4 * H }))
              .concat({ offset: cPrevAt, ld: H }),
            [
              { offset: cAt, ld: H },
              { offset: hAt, ld: H },
            ],
          )
          for (let b = 0; b < B; b++) {
            for (let j = 0; j < H; j++) {
              const gate = (k: number) => gv[b * 4 * H + k * H + j]!
              const cExact = sigmoid(gate(1)) * cv[b * H + j]! + sigmoid(gate(0)) * Math.tanh(gate(2))
              const hExact = sigmoid(gate(3)) * Math.tanh(cExact)
              expect(Math.abs(floats()[cAt / 4 + b * H + j]! - cExact)).toBeLessThan(
                1e-6 * (1 + Math.abs(cExact)),
              )
              expect(Math.abs(floats()[hAt / 4 + b * H + j]! - hExact)).toBeLessThan(1e-6)
            }
          }
        },
      ),
      { numRuns: runs },
    )
  })

  test('a row stride of 0 repeats one row (a bias), constants broadcast', () => {
    const kernel = kernels.fused([apply('add', apply('mul', input(0), constant(2)), input(1))])
    floats().set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0) // x: 2 rows x 5
    floats().set([100, 200, 300, 400, 500], 16) // bias
    kernel.run(
      2,
      5,
      [
        { offset: 0, ld: 5 },
        { offset: 64, ld: 0 },
      ],
      [{ offset: 128, ld: 5 }],
    )
    expect([...floats().subarray(32, 42)]).toEqual([102, 204, 306, 408, 510, 112, 214, 316, 418, 520])
  })

  test('a row input is one value per row, repeated along it; row stride 0 makes it a scalar', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 11 }),
        fc.integer(),
        (rows, cols, seed) => {
          // y = (x - mean_r) * s_r * k: x [rows, cols], per-row values at stride 2, one scalar k
          const kernel = kernels.fused([
            apply('mul', apply('mul', apply('sub', input(0), rowInput(1)), rowInput(2)), rowInput(3)),
          ])
          const x = randomFloats(rows * cols, seed)
          const mean = randomFloats(2 * rows, seed + 1)
          const scale = randomFloats(rows, seed + 2)
          const [xAt, meanAt, scaleAt, kAt, yAt] = [0, 4096, 8192, 12288, 16384]
          floats().set(x, xAt / 4)
          floats().set(mean, meanAt / 4)
          floats().set(scale, scaleAt / 4)
          floats()[kAt / 4] = 3
          floats().fill(-7, yAt / 4, yAt / 4 + rows * cols + 4) // guard past the output
          kernel.run(
            rows,
            cols,
            [
              { offset: xAt, ld: cols },
              { offset: meanAt, ld: 2 },
              { offset: scaleAt, ld: 1 },
              { offset: kAt, ld: 0 },
            ],
            [{ offset: yAt, ld: cols }],
          )
          for (let r = 0; r < rows; r++)
            for (let j = 0; j < cols; j++) {
              const exact = (x[r * cols + j]! - mean[2 * r]!) * scale[r]! * 3
              const got = floats()[yAt / 4 + r * cols + j]!
              expect(Math.abs(got - exact), `(${r}, ${j})`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(exact)))
            }
          expect(floats()[yAt / 4 + rows * cols]).toBe(-7)
        },
      ),
      { numRuns: runs },
    )
    // one value per row needs only one float per row to be in memory
    const kernel = kernels.fused([apply('add', input(0), rowInput(1))])
    const last = memory.buffer.byteLength - 4
    expect(() =>
      kernel.run(
        2,
        8,
        [
          { offset: 0, ld: 8 },
          { offset: last - 4, ld: 1 },
        ],
        [{ offset: 256, ld: 8 }],
      ),
    ).not.toThrow()
    expect(() => kernels.fused([apply('add', input(0), rowInput(0))])).toThrow(
      /input 0 is read both per element and per row/,
    )
  })

  test('compiled once per expression; wrong operands and arity are named errors', () => {
    const exprs = [apply('tanh', input(0))]
    expect(kernels.fused(exprs)).toBe(kernels.fused([apply('tanh', input(0))]))
    expect(() => kernels.fused(exprs).run(1, 4, [], [{ offset: 0, ld: 0 }])).toThrow(
      /fused kernel tanh\(x0\): expects 1 input\(s\) and 1 output\(s\), got 0 and 1/,
    )
    expect(() => kernels.fused(exprs).run(1, 4, [{ offset: 1e9, ld: 0 }], [{ offset: 0, ld: 0 }])).toThrow(
      /input 0 \(byte 1000000000, row stride 0\) is outside the memory/,
    )
    expect(() => apply('add', input(0))).toThrow(/pointwise op 'add' takes 2 argument\(s\), got 1/)
    expect(() => apply('log' as PointwiseOp, input(0))).toThrow(/unknown op 'log'/)
  })
})
