import {
  add,
  type Cell,
  clamp,
  concat,
  defineCell,
  div,
  exp,
  greater,
  isfinite,
  layer,
  log,
  matmul,
  max,
  min,
  mul,
  neg,
  oneMinus,
  param,
  reduceMax,
  reduceMean,
  reduceSum,
  relu,
  rsqrt,
  sigmoid,
  slice,
  softmax,
  split,
  sqrt,
  sub,
  tanh,
  type Value,
  where,
} from '@cellgraph/graph'
import {
  activationRange,
  affineRange,
  binaryRange,
  DOMAIN_MARGIN,
  EXP_LIMIT,
  INPUT_LIMIT,
  PARAM_LIMIT,
  type Range,
  range,
  symmetric,
  unaryRange,
  union,
  VALUE_LIMIT,
} from './range.js'
import type { CellRecipe, Operand, PositiveVia, StateUpdate, Step } from './recipe.js'

/** State names, in order, of a cell with one, two or three states. */
export const STATE_NAMES = ['h', 'c', 'm'] as const

/** A traced value and the range of every value it can take. */
interface Ranged {
  readonly value: Value
  readonly range: Range
}

const unaryFns = { neg, oneMinus, sigmoid, tanh, relu, exp, log, sqrt, rsqrt }
const binaryFns = { add, sub, mul, div, max, min }
const reductionFns = { reduceSum, reduceMean, reduceMax }

const clampRange = (r: Range, lo: number, hi: number): Range =>
  range(Math.min(Math.max(r.lo, lo), hi), Math.max(Math.min(r.hi, hi), lo))

const sizeOf = (e: Ranged): number => e.value.type.shape[0]!

/**
 * Builds the cell a recipe describes, through the DSL (`defineCell`, `layer`, op functions).
 * `inputLimit` bounds |x|: INPUT_LIMIT for data, VALUE_LIMIT for a layer over another cell's output.
 */
export function buildCell(recipe: CellRecipe, inputLimit: number = INPUT_LIMIT): Cell {
  const stateNames: readonly string[] = STATE_NAMES.slice(0, recipe.states)
  const definition = defineCell('random', { state: stateNames }, (vars, { hidden }) => {
    const states = stateNames.map((s) => ({ value: vars[s]!, range: symmetric(INPUT_LIMIT) }))
    const tracer = new Tracer([...states, { value: vars.x!, range: symmetric(inputLimit) }])
    recipe.steps.forEach((step, i) => tracer.step(step, i))
    const next: Record<string, Value> = {}
    stateNames.forEach((s, i) => {
      next[s] = tracer.update(s, states[i]!, recipe.updates[i % recipe.updates.length]!, hidden).value
    })
    return { state: next, output: tracer.output() }
  })
  return definition({ input: recipe.input, hidden: recipe.hidden })
}

class Tracer {
  private readonly used = new Set<number>()

  constructor(private readonly pool: Ranged[]) {
    for (let i = 0; i < pool.length - 1; i++) this.used.add(i) // the states are read by their updates
  }

  private pick(index: number): Ranged {
    const i = index % this.pool.length
    this.used.add(i)
    return this.pool[i]!
  }

  /** Adds a value to the pool, clamped back into [-VALUE_LIMIT, VALUE_LIMIT] if its range exceeds it. */
  private push(e: Ranged): void {
    this.pool.push(this.within(e, -VALUE_LIMIT, VALUE_LIMIT))
  }

  private within(e: Ranged, lo: number, hi: number): Ranged {
    if (e.range.lo >= lo && e.range.hi <= hi) return e
    const l = Math.min(Math.max(lo, e.range.lo), hi)
    const h = Math.min(hi, Math.max(e.range.hi, l))
    return { value: clamp(e.value, l, h), range: clampRange(e.range, l, h) }
  }

  /** A positive version of `e` (for log, sqrt, rsqrt and divisors), made so by construction. */
  private positive(e: Ranged, via: PositiveVia): Ranged {
    if (e.range.lo >= DOMAIN_MARGIN) return e
    switch (via) {
      case 'sigmoid': {
        const r = unaryRange.sigmoid(e.range)
        return {
          value: add(sigmoid(e.value), DOMAIN_MARGIN),
          range: range(r.lo + DOMAIN_MARGIN, r.hi + DOMAIN_MARGIN),
        }
      }
      case 'exp': {
        const arg = this.expArgument(e)
        const r = unaryRange.exp(arg.range)
        return {
          value: add(exp(arg.value), DOMAIN_MARGIN),
          range: range(r.lo + DOMAIN_MARGIN, r.hi + DOMAIN_MARGIN),
        }
      }
      case 'clamp':
        return this.within(e, DOMAIN_MARGIN, Math.max(e.range.hi, 1))
    }
  }

  private expArgument(e: Ranged): Ranged {
    return this.within(e, Math.min(e.range.lo, EXP_LIMIT), EXP_LIMIT)
  }

  /** `e` at `size` features: as is, or a one-feature value (which broadcasts), else sliced or zero padded. */
  private match(e: Ranged, size: number): Ranged {
    const n = sizeOf(e)
    if (n === size || n === 1) return e
    if (n > size) return { value: slice(e.value, 0, size), range: e.range }
    return { value: padded(e.value, 0, size - n), range: union(e.range, range(0, 0)) }
  }

  private operand(first: Ranged, o: Operand, name: string): Ranged {
    const features = sizeOf(first)
    switch (o.from) {
      case 'value':
        return this.match(this.pick(o.index), features)
      case 'vector':
        return { value: param(name, [features]), range: symmetric(PARAM_LIMIT) }
      case 'unit':
        return { value: param(name, [1]), range: symmetric(PARAM_LIMIT) }
      case 'scalar':
        return { value: param(name, []), range: symmetric(PARAM_LIMIT) }
      case 'constant':
        return { value: first.value.builder.constant(o.value), range: range(o.value, o.value) }
    }
  }

  step(s: Step, i: number): void {
    for (const e of this.compute(s, i)) this.push(e)
  }

  /** The values a step creates. */
  private compute(s: Step, i: number): Ranged[] {
    switch (s.kind) {
      case 'unary': {
        let a = this.pick(s.a)
        if (s.op === 'log' || s.op === 'sqrt' || s.op === 'rsqrt') a = this.positive(a, s.positive)
        if (s.op === 'exp') a = this.expArgument(a)
        return [{ value: unaryFns[s.op](a.value), range: unaryRange[s.op](a.range) }]
      }
      case 'binary': {
        const a = this.pick(s.a)
        let b = this.operand(a, s.b, `p${i}`)
        if (s.op === 'div') b = this.positive(b, s.positive)
        return [
          {
            value: binaryFns[s.op](a.value, b.value),
            range: binaryRange[s.op](a.range, b.range),
          },
        ]
      }
      case 'layer': {
        const xs = s.a.map((k) => this.pick(k))
        const x = xs.length === 1 ? xs[0]!.value : concat(...xs.map((e) => e.value))
        const r = xs.map((e) => e.range).reduce(union)
        const pre = affineRange(r, x.type.shape[0]!, s.biases)
        return [
          {
            value: layer(`L${i}`, x, s.size, s.activation, { biases: s.biases }),
            range: activationRange[s.activation](pre),
          },
        ]
      }
      case 'matmul': {
        const a = this.pick(s.a)
        const n = sizeOf(a)
        const w = param(`W${i}`, s.transposeB ? [s.size, n] : [n, s.size])
        return [{ value: matmul(a.value, w, s.transposeB), range: affineRange(a.range, n, 0) }]
      }
      case 'concat': {
        const xs = s.a.map((k) => this.pick(k)) // a value may meet itself: reduceMax ties
        return [
          {
            value: concat(...xs.map((e) => e.value)),
            range: xs.map((e) => e.range).reduce(union),
          },
        ]
      }
      case 'split': {
        const a = this.pick(s.a)
        const n = sizeOf(a)
        if (n === 1) return [{ value: padded(a.value, 0, 1), range: union(a.range, range(0, 0)) }]
        const k = 1 + (s.at % (n - 1))
        return split(a.value, [k, n - k]).map((part) => ({ value: part, range: a.range }))
      }
      case 'pad': {
        const a = this.pick(s.a)
        return [{ value: padded(a.value, s.before, s.after), range: union(a.range, range(0, 0)) }]
      }
      case 'reduce': {
        const a = this.pick(s.a)
        const n = s.op === 'reduceSum' ? sizeOf(a) : 1
        return [{ value: reductionFns[s.op](a.value), range: range(n * a.range.lo, n * a.range.hi) }]
      }
      case 'softmax':
        return [{ value: softmax(this.pick(s.a).value), range: range(0, 1) }]
      case 'select': {
        const a = this.pick(s.a)
        const cond = this.match(this.pick(s.cond), sizeOf(a))
        const b = this.operand(a, s.b, `p${i}`)
        return [
          {
            // isfinite(cond) is 1 here (cells stay finite): it reaches the op on every backend
            value: where(mul(isfinite(cond.value), greater(cond.value, s.threshold)), a.value, b.value),
            range: union(a.range, b.range),
          },
        ]
      }
      case 'clamp': {
        const a = this.pick(s.a)
        const hi = s.lo + s.width
        return [{ value: clamp(a.value, s.lo, hi), range: clampRange(a.range, s.lo, hi) }]
      }
    }
  }

  /** The new value of state `name`, kept within the state range [-INPUT_LIMIT, INPUT_LIMIT]. */
  update(name: string, state: Ranged, u: StateUpdate, hidden: number): Ranged {
    const v = this.pick(u.from)
    const sv = concat(state.value, v.value)
    const fanIn = sv.type.shape[0]!
    if (u.kind === 'layer') {
      const pre = affineRange(union(state.range, v.range), fanIn, u.biases)
      const next = layer(`${name}_update`, sv, hidden, u.activation, { biases: u.biases })
      return this.within(
        { value: next, range: activationRange[u.activation](pre) },
        -INPUT_LIMIT,
        INPUT_LIMIT,
      )
    }
    const gate = layer(`${name}_gate`, sv, hidden, sigmoid)
    const candidate = this.within(this.match(v, hidden), -INPUT_LIMIT, INPUT_LIMIT)
    return {
      value: add(mul(gate, state.value), mul(oneMinus(gate), candidate.value)),
      range: union(state.range, candidate.range),
    }
  }

  /** Every pool value no step read, concatenated: so every op of the cell reaches an output. */
  output(): Value {
    const unused = this.pool.filter((_, i) => !this.used.has(i))
    const outs = unused.length > 0 ? unused : [this.pool[this.pool.length - 1]!]
    return outs.length === 1 ? outs[0]!.value : concat(...outs.map((e) => e.value))
  }
}

/** Zero padding of the feature axis (the DSL has no function for it: it is mostly an adjoint). */
const padded = (x: Value, before: number, after: number): Value =>
  x.builder.apply('pad', [x], { before, after })[0]!
