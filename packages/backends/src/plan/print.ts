import { formatType } from '@cellgraph/graph'
import { printPack } from '../passes/program.js'
import { renderExpression } from './expression.js'
import type { Access, KernelPlan, LevelPlan, Step } from './kernelPlan.js'
import { featuresOf } from './planner.js'

/** An operand read as text: `%x` (same element), `%x[j]`, `%x[r]`, `%x[0]`, `%x[r*12 + 3 + j]`. */
function accessText(name: string, { offset, row, col }: Access, features: number): string {
  if (offset === 0 && col === 1 && row === features) return name
  if (offset === 0 && row === 0) return `${name}[${col === 1 ? 'j' : '0'}]`
  if (offset === 0 && row === 1 && col === 0) return `${name}[r]`
  return `${name}[r*${row} + ${offset}${col === 1 ? ' + j' : ''}]`
}

function stepLines(step: Step): string[] {
  const { kind } = step
  if (kind === 'call') {
    const n = step.node
    return [`%${n.id} = ${n.op} ${n.inputs.map((r) => `%${r}`).join(', ')}`]
  }
  if (kind === 'loop') {
    const { carries, sequences, reverse } = step.node.attrs
    const head = `loop %${step.node.id} over T steps${reverse ? ', reverse' : ''} (carries ${carries}, per-step reads ${sequences}) {`
    return [head, ...levelLines(step.body).map((l) => `  ${l}`), '}']
  }
  const f = featuresOf(step.type)
  const lines: string[] = []
  const stores = renderExpression<string>(step, {
    operand: (k, access) => accessText(`%${step.operands[k]!.ref}`, access, f),
    constant: (v) => String(v),
    apply: (op, args) => `${op}(${args.join(', ')})`,
    bind: (k, v) => {
      lines.push(`  v${k} = ${v}`)
      return `v${k}`
    },
  })!
  const head = `fused ${formatType(step.type)} (${step.body.length} ops, ${step.operands.length} reads) {`
  return [head, ...lines, ...stores.map((s) => `  %${s.id} <- ${s.value}`), '}']
}

const levelLines = (level: LevelPlan): string[] => level.steps.flatMap(stepLines)

/**
 * A kernel plan as text, one kernel (or loop) at a time: calls by op, fused kernels as their
 * expressions with each operand's access (`[r*12 + 3 + j]`: row stride 12, from column 3).
 */
export function printPlan(plan: KernelPlan): string {
  return [...plan.packs.map(printPack), ...levelLines(plan.root)].join('\n')
}
