import { type AttrKind, activations, type OpName, ops } from './ops/index.js'
import { printable } from './schema.js'
import { isValidShape } from './types.js'

const layouts = ['tensor', 'batch', 'seq']

/** Why a value is not of the attribute kind, or undefined when it is. */
export function attrProblem(kind: AttrKind, value: unknown): string | undefined {
  switch (kind) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a finite number'
    case 'integer':
      return Number.isInteger(value) ? undefined : 'must be an integer'
    case 'string':
      if (typeof value !== 'string' || value.length === 0) return 'must be a non-empty string'
      return printable(value) === value ? undefined : 'must not contain control characters'
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'must be true or false'
    case 'shape':
      return isValidShape(value) ? undefined : 'must be an array of positive integers'
    case 'activation':
      return activations.includes(value as never) ? undefined : `must be one of ${activations.join(', ')}`
    case 'valueType': {
      const t = value as { layout?: unknown; shape?: unknown } | null
      if (typeof t !== 'object' || t === null) return 'must be an object { layout, shape }'
      if (!layouts.includes(t.layout as string)) return `layout must be one of ${layouts.join(', ')}`
      return isValidShape(t.shape) ? undefined : 'shape must be an array of positive integers'
    }
    case 'graph':
      return typeof value === 'object' && value !== null ? undefined : 'must be a graph object'
  }
}

/** The first attribute problem of a node as [field, problem], or undefined. */
export function firstAttrProblem(op: OpName, attrs: unknown): [string, string] | undefined {
  if (typeof attrs !== 'object' || attrs === null) return ['attrs', 'must be an object']
  const schema = ops[op].attrs as Record<string, AttrKind>
  for (const [field, kind] of Object.entries(schema)) {
    const value = Object.hasOwn(attrs, field) ? (attrs as Record<string, unknown>)[field] : undefined
    const problem = attrProblem(kind, value)
    if (problem) return [field, problem]
  }
  for (const field of Object.keys(attrs))
    if (!Object.hasOwn(schema, field))
      return [JSON.stringify(field).slice(1, -1), `is not an attribute of ${op}`]
  return undefined
}
