import {
  type Activation,
  activations,
  add,
  clamp,
  concat,
  crossEntropy,
  div,
  exp,
  GraphBuilder,
  greater,
  isfinite,
  log,
  matmul,
  max,
  min,
  mul,
  neg,
  oneMinus,
  opNames,
  reduceMax,
  reduceMean,
  reduceSum,
  relu,
  rowCount,
  rsqrt,
  sigmoid,
  slice,
  softmax,
  sqrt,
  sub,
  sumAll,
  sumRows,
  tanh,
  type Value,
  type ValueType,
  where,
} from '@cellgraph/graph'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { gradcheck, vjpRules } from '../src/index.js'
import { type LeafSpec, type OpCase, opCase, type Sizes } from './opCase.js'
import { explain, numRuns } from './support.js'

/** Relative to max(|analytic|, |numeric|, 1e-3); central differences carry ~1e-8 of noise. */
const TOLERANCE = 1e-5

const rows = (f: number, layout: 'batch' | 'seq'): ValueType => ({ layout, shape: [f] })
const tensorOf = (...shape: number[]): ValueType => ({ layout: 'tensor', shape })

/** Value domains: raw u in [-1, 1). */
const positive = (u: number) => 0.5 + 0.75 * (u + 1) // [0.5, 2)
const awayFromZero = (u: number) => (u >= 0 ? 0.2 + u : u - 0.2)
/** Values on a 0.1 grid, offset by `shift`: two leaves with different shifts never tie. */
const grid = (shift: number) => (u: number) => Math.round(u * 10) / 10 + shift
const saturating = (u: number) => u * 30
const classIndex = (classes: number) => (u: number) =>
  Math.min(classes - 1, Math.floor(((u + 1) / 2) * classes))
const mask = (u: number) => (u > 0 ? 1 : 0)

const sizes: fc.Arbitrary<Sizes> = fc.record({
  steps: fc.integer({ min: 1, max: 3 }),
  batch: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer(),
})
const layout = fc.constantFrom<'batch' | 'seq'>('batch', 'seq')
const features = fc.integer({ min: 1, max: 4 })

/** Any value type: rows of either layout, or a rank-1 or rank-2 tensor. */
const anyType: fc.Arbitrary<ValueType> = fc.oneof(
  fc.tuple(features, layout).map(([f, l]) => rows(f, l)),
  features.map((f) => tensorOf(f)),
  fc.tuple(features, features).map(([m, n]) => tensorOf(m, n)),
)
/** A full type and an operand type that broadcasts against it: same, [F], [1], [], or one-feature rows. */
const broadcastPair: fc.Arbitrary<[ValueType, ValueType]> = fc
  .tuple(anyType, fc.constantFrom('same', 'perUnit', 'one', 'scalar', 'oneFeature'), fc.boolean())
  .map(([full, kind, swap]): [ValueType, ValueType] => {
    const f = full.shape.at(-1)!
    const isRowsType = full.layout !== 'tensor'
    const operand =
      kind === 'scalar'
        ? tensorOf()
        : !isRowsType || kind === 'same'
          ? full
          : kind === 'perUnit'
            ? tensorOf(f)
            : kind === 'one'
              ? tensorOf(1)
              : rows(1, full.layout as 'batch' | 'seq')
    return swap ? [operand, full] : [full, operand]
  })

type CaseArb = fc.Arbitrary<OpCase>

const unary = (op: (x: Value) => Value, values?: (u: number) => number): CaseArb =>
  fc.tuple(anyType, sizes).map(([t, s]) => opCase([{ name: 'x', type: t, values }], ([x]) => [op(x!)], s))

const binary = (
  op: (a: Value, b: Value) => Value,
  values: [((u: number) => number)?, ((u: number) => number)?] = [],
): CaseArb =>
  fc.tuple(broadcastPair, sizes).map(([[ta, tb], s]) =>
    opCase(
      [
        { name: 'a', type: ta, values: values[0] },
        { name: 'b', type: tb, values: values[1] },
      ],
      ([a, b]) => [op(a!, b!)],
      s,
    ),
  )

const layerCase: CaseArb = fc
  .tuple(features, features, fc.integer({ min: 0, max: 2 }), fc.constantFrom(...activations), layout, sizes)
  .map(([inSize, out, biases, activation, l, s]) =>
    opCase(
      [
        { name: 'x', type: rows(inSize, l) },
        { name: 'W', type: tensorOf(out, inSize) },
        ...Array.from({ length: biases }, (_, i): LeafSpec => ({ name: `b${i}`, type: tensorOf(out) })),
      ],
      ([x, W, ...bs]) => [
        x!.builder.apply('layer', [x!, W!, ...bs], { activation: activation as Activation })[0]!,
      ],
      s,
    ),
  )

const matmulCase: CaseArb = fc
  .tuple(features, features, features, fc.boolean(), fc.boolean(), layout, sizes)
  .map(([m, k, n, transposeB, tensorA, l, s]) =>
    opCase(
      [
        { name: 'a', type: tensorA ? tensorOf(m, k) : rows(k, l) },
        // The gradient with respect to b of a tensor·tensor product is not expressible (see errors.test).
        { name: 'b', type: transposeB ? tensorOf(n, k) : tensorOf(k, n), fixed: tensorA },
      ],
      ([a, b]) => [matmul(a!, b!, transposeB)],
      s,
    ),
  )

const twoRows = (op: (a: Value, b: Value) => Value): CaseArb =>
  fc.tuple(features, features, layout, sizes).map(([m, n, l, s]) =>
    opCase(
      [
        { name: 'a', type: rows(m, l) },
        { name: 'b', type: rows(n, l) },
      ],
      ([a, b]) => [op(a!, b!)],
      s,
    ),
  )

const rowsOnly = (op: (x: Value) => Value): CaseArb =>
  fc
    .tuple(features, layout, sizes)
    .map(([f, l, s]) => opCase([{ name: 'x', type: rows(f, l) }], ([x]) => [op(x!)], s))

const reduction = (op: (x: Value) => Value, values?: (u: number) => number): CaseArb =>
  fc.tuple(anyType, sizes).map(([t, s]) => opCase([{ name: 'x', type: t, values }], ([x]) => [op(x!)], s))

/** broadcastLike / sumLike: x broadcasts to `like`; both are leaves, `like` gets a zero gradient. */
const likeCase = (op: 'broadcastLike' | 'sumLike'): CaseArb =>
  fc.tuple(broadcastPair, sizes).map(([[full, operand], s]) => {
    const [small, big] =
      full === operand || operand.shape.length >= full.shape.length ? [full, full] : [operand, full]
    const [x, like] = op === 'broadcastLike' ? [small, big] : [big, small]
    return opCase(
      [
        { name: 'x', type: x },
        { name: 'like', type: like },
      ],
      ([xv, lv]) => [xv!.builder.apply(op, [xv!, lv!], {})[0]!],
      s,
    )
  })

const concatCase: CaseArb = fc
  .tuple(fc.array(features, { minLength: 1, maxLength: 3 }), fc.constantFrom('batch', 'seq', 'tensor'), sizes)
  .map(([fs, l, s]) =>
    opCase(
      fs.map((f, i) => ({
        name: `x${i}`,
        type: l === 'tensor' ? tensorOf(f) : rows(f, l as 'batch' | 'seq'),
      })),
      (xs) => [concat(...xs)],
      s,
    ),
  )

const window = fc.tuple(anyType, fc.nat(), fc.nat()).map(([t, a, b]) => {
  const f = t.shape.at(-1)!
  const start = a % f
  return { t, start, end: start + 1 + (b % (f - start)) }
})

const crossEntropyLeaves = (classes: number, l: 'batch' | 'seq'): LeafSpec[] => [
  { name: 'logits', type: rows(classes, l), values: (u) => u * 3 },
  { name: 'target', type: rows(1, l), values: classIndex(classes), fixed: true },
]

/** The scan rule has its own tests (scan.test.ts, cells.test.ts); here a small recurrence. */
const scanCase: CaseArb = fc.tuple(features, features, fc.boolean(), sizes).map(([h, i, reverse, s]) =>
  opCase(
    [
      { name: 'h0', type: rows(h, 'batch') },
      { name: 'xs', type: rows(i, 'seq') },
      { name: 'W', type: tensorOf(h, h + i) },
    ],
    ([h0, xs, W]) => {
      const body = new GraphBuilder()
      const hb = body.leaf('state', 'h', { name: 'h', type: rows(h, 'batch') })
      const xb = body.leaf('input', 'x', { name: 'x', type: rows(i, 'batch') })
      const Wb = body.leaf('param', 'W', { name: 'W', shape: [h, h + i] })
      const h2 = tanh(body.apply('layer', [concat(hb, xb), Wb], { activation: 'identity' })[0]!)
      const graph = body.build([
        { name: 'h', value: h2 },
        { name: 'y', value: mul(h2, hb) },
      ])
      return h0!.builder.apply('scan', [h0!, xs!, W!], { body: graph, carries: 1, sequences: 1, reverse })
    },
    s,
  ),
)

/** A case generator for every op. Leaves are exercised by every case. */
const cases: { readonly [K in (typeof opNames)[number]]: CaseArb } = {
  input: unary((x) => x),
  state: unary((x) => x),
  param: unary((x) => x),
  constant: unary((x) => mul(x, 3)),
  neg: unary(neg),
  oneMinus: unary(oneMinus),
  sigmoid: fc.oneof(unary(sigmoid), unary(sigmoid, saturating)),
  tanh: fc.oneof(unary(tanh), unary(tanh, saturating)),
  relu: unary(relu, awayFromZero),
  exp: fc.oneof(
    unary(exp),
    unary(exp, (u) => u * 6),
  ),
  log: unary(log, positive),
  sqrt: unary(sqrt, positive),
  rsqrt: unary(rsqrt, positive),
  add: binary(add),
  sub: binary(sub),
  mul: binary(mul),
  div: binary(div, [undefined, awayFromZero]),
  max: binary(max, [grid(0), grid(0.05)]),
  min: binary(min, [grid(0), grid(0.05)]),
  greater: binary(greater, [grid(0), grid(0.05)]),
  // x·isfinite(x) = x: the test itself passes no cotangent, the product passes all of it to x
  isfinite: unary((x) => mul(x, isfinite(x))),
  clamp: unary((x) => clamp(x, -0.45, 0.35), grid(0)),
  where: fc.tuple(broadcastPair, fc.constantFrom(0, 1, 2), sizes).map(([[full, operand], cond, s]) => {
    const types = [full, full, full]
    types[cond] = operand
    return opCase(
      [
        { name: 'cond', type: types[0]!, values: mask, fixed: true },
        { name: 'a', type: types[1]! },
        { name: 'b', type: types[2]! },
      ],
      ([c, a, b]) => [where(c!, a!, b!)],
      s,
    )
  }),
  layer: layerCase,
  matmul: matmulCase,
  outerSum: twoRows((a, b) => a.builder.apply('outerSum', [a, b], {})[0]!),
  sumRows: rowsOnly(sumRows),
  rowCount: rowsOnly((x) => add(rowCount(x), sumAll(x))),
  sumAll: unary(sumAll),
  broadcastLike: likeCase('broadcastLike'),
  sumLike: likeCase('sumLike'),
  concat: concatCase,
  slice: fc
    .tuple(window, sizes)
    .map(([{ t, start, end }, s]) => opCase([{ name: 'x', type: t }], ([x]) => [slice(x!, start, end)], s)),
  pad: fc
    .tuple(anyType, fc.nat(2), fc.nat(2), sizes)
    .map(([t, before, after, s]) =>
      opCase([{ name: 'x', type: t }], ([x]) => [x!.builder.apply('pad', [x!], { before, after })[0]!], s),
    ),
  reduceSum: reduction(reduceSum),
  reduceMean: reduction(reduceMean),
  reduceMax: reduction(reduceMax),
  softmax: reduction(softmax, (u) => u * 3),
  crossEntropy: fc
    .tuple(features, layout, sizes)
    .map(([c, l, s]) => opCase(crossEntropyLeaves(c, l), ([x, t]) => [crossEntropy(x!, t!)], s)),
  crossEntropyGrad: fc
    .tuple(features, layout, sizes)
    .map(([c, l, s]) =>
      opCase(
        [...crossEntropyLeaves(c, l), { name: 'g', type: rows(1, l) }],
        ([x, t, g]) => [x!.builder.apply('crossEntropyGrad', [x!, t!, g!], {})[0]!],
        s,
      ),
    ),
  scan: scanCase,
}

describe('vector-Jacobian rules', () => {
  it('cover every op of the IR', () => {
    expect(Object.keys(vjpRules).sort()).toEqual([...opNames].sort())
    expect(Object.keys(cases).sort()).toEqual([...opNames].sort())
  })

  for (const op of opNames) {
    it(`${op}: matches central differences in float64`, () => {
      fc.assert(
        fc.property(cases[op], ({ graph, inputs, wrt }) => {
          const report = gradcheck(graph, inputs, { loss: 'loss', wrt })
          const worst = Math.max(0, ...Object.values(report).map((r) => r.error))
          if (!(worst < TOLERANCE)) throw new Error(explain(graph, JSON.stringify(report, null, 1)))
        }),
        { numRuns: numRuns(8) },
      )
    })
  }
})
