import type { ConcatStore } from '../plan/concatStores.js'
import { renderExpression } from '../plan/expression.js'
import type { Access, FusedStep } from '../plan/kernelPlan.js'
import type { ParamList } from './kernel.js'
import type { ValueInfo } from './values.js'
import { literal, pointwiseTemplates } from './wgsl.js'

/** Reads operand `a` at element (r, j, flat i) of a fused kernel `features` wide, through its access. */
function operandRead(a: ValueInfo, { offset, row, col }: Access, features: number, s: number, p: ParamList) {
  if (a.constant !== undefined) return literal(a.constant)
  const o = p.add(a.place(s))
  if (offset === 0 && col === 1 && row === features) return `arena[${o} + i]`
  const terms = [
    o,
    ...(row === 0 ? [] : [row === 1 ? 'r' : `r * ${row}u`]),
    ...(offset === 0 ? [] : [`${offset}u`]),
  ]
  return `arena[${[...terms, ...(col === 1 ? ['j'] : [])].join(' + ')}]`
}

/** How a renderer reads a fused kernel's operands: `computed` gives those already in registers. */
interface ElementOptions {
  computed?: (operand: number) => string | undefined
}

/**
 * WGSL statements computing element (r, j, flat i) of a fused kernel of the plan, `features`
 * wide, each operand read once, and the value of each stored member (a local or a literal),
 * without storing them.
 */
export function fusedValues(
  step: FusedStep,
  env: ReadonlyMap<string, ValueInfo>,
  features: number,
  s: number,
  p: ParamList,
  { computed }: ElementOptions = {},
): { readonly lines: string[]; readonly values: { readonly id: string; readonly value: string }[] } {
  const lines: string[] = []
  const reads = new Map<number, string>()
  const values = renderExpression<string>(step, {
    operand: (k, access) => {
      let read = reads.get(k)
      if (read === undefined) {
        read = `a${k}`
        const value = computed?.(k)
        lines.push(
          `  let a${k} = ${value ?? operandRead(env.get(step.operands[k]!.ref)!, access, features, s, p)};`,
        )
        reads.set(k, read)
      }
      return read
    },
    constant: literal,
    apply: (op, args) => pointwiseTemplates[op](args),
    bind: (k, v) => {
      lines.push(`  let v${k} = ${v};`)
      return `v${k}`
    },
  })!
  return { lines, values }
}

/**
 * WGSL statements computing element (r, j, flat i) of a fused kernel of the plan, `features`
 * wide: each operand read once (`fusedValues`), each stored member written (and into the concats
 * it is a part of, `concats`). `element` names a member bound to `element`, not stored.
 */
export function fusedElement(
  step: FusedStep,
  env: ReadonlyMap<string, ValueInfo>,
  features: number,
  s: number,
  p: ParamList,
  {
    computed,
    concats,
    element,
  }: ElementOptions & {
    concats?: ReadonlyMap<string, readonly ConcatStore[]>
    /** A stored member whose value is bound to `element` instead of stored (a sum's prologue). */
    element?: string
  } = {},
): string {
  const { lines, values } = fusedValues(step, env, features, s, p, { computed })
  for (const { id, value } of values) {
    if (id === element) {
      lines.push(`  let element = ${value};`)
      continue
    }
    lines.push(...storeLines(id, value, env, s, p, concats))
  }
  return lines.join('\n')
}

/** Statements storing `value` as element (r, j, flat i) of member `id`, and into its concats' columns. */
export function storeLines(
  id: string,
  value: string,
  env: ReadonlyMap<string, ValueInfo>,
  s: number,
  p: ParamList,
  concats?: ReadonlyMap<string, readonly ConcatStore[]>,
): string[] {
  const lines = [`  arena[${p.add(env.get(id)!.place(s))} + i] = ${value};`]
  for (const { concat, column } of concats?.get(id) ?? []) {
    const c = env.get(concat)!
    lines.push(`  arena[${p.add(c.place(s))} + r * ${c.last}u + ${column}u + j] = ${value};`)
  }
  return lines
}
