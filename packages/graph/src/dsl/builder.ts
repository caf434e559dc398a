import { GraphError } from '../errors.js'
import { type Graph, type Node, type NodeOf, parseRef, ref } from '../ir.js'
import { ShapeRuleError } from '../ops/def.js'
import { type OpAttrs, type OpName, ops } from '../ops/index.js'
import { formatType, type ValueType } from '../types.js'
import { signature } from '../verify.js'

/** A value being traced into a graph: the output of a node, with its inferred type. */
export class Value {
  constructor(
    readonly builder: GraphBuilder,
    readonly ref: string,
    readonly type: ValueType,
  ) {}

  /** Gives the node that produces this value a readable id, e.g. `c_next`. */
  as(id: string): this {
    this.builder.rename(this.ref, id)
    return this
  }
}

/** Traces op applications into a verified graph, inferring shapes as it goes. */
export class GraphBuilder {
  private readonly nodes: Node[] = []
  private readonly inputs: string[] = []
  private readonly types = new Map<string, ValueType[]>()
  private readonly counters = new Map<string, number>()
  private readonly renames = new Map<string, string>()
  private readonly constants = new Map<number, Value>()

  private freshId(base: string): string {
    let n = this.counters.get(base) ?? 0
    let id: string
    do id = `${base}${++n}`
    while (this.types.has(id))
    this.counters.set(base, n)
    return id
  }

  private claim(id: string, op: string): string {
    if (this.types.has(id) || [...this.renames.values()].includes(id))
      throw new GraphError(`the name '${id}' is used twice in this cell (${op})`, id, op)
    return id
  }

  leaf<K extends 'input' | 'state' | 'param'>(op: K, id: string, attrs: OpAttrs[K]): Value {
    return this.push(op, [], attrs, this.claim(id, op), true)[0]!
  }

  /** Applies an op; shape errors name the node, the op and the input shapes. */
  apply<K extends OpName>(op: K, args: readonly Value[], attrs: OpAttrs[K], id?: string): Value[] {
    for (const a of args)
      if (a.builder !== this) throw new GraphError(`${op}: an input belongs to another cell being defined`)
    return this.push(op, args, attrs, id === undefined ? this.freshId(op) : this.claim(id, op), false)
  }

  constant(value: number): Value {
    const v = value === 0 ? 0 : value // folds -0 into 0 so JSON round-trips exactly
    let c = this.constants.get(v)
    if (!c)
      this.constants.set(v, (c = this.push('constant', [], { value: v }, this.freshId('const'), false)[0]!))
    return c
  }

  rename(r: string, id: string) {
    const { node } = parseRef(r)
    const existing = this.nodes.find((n) => n.id === node)
    if (
      !existing ||
      existing.op === 'input' ||
      existing.op === 'state' ||
      existing.op === 'param' ||
      this.renames.has(node)
    )
      return
    this.renames.set(node, this.claim(id, existing.op))
  }

  build(outputs: readonly { name: string; value: Value }[]): Graph {
    const id = (n: string) => this.renames.get(n) ?? n
    const fix = (r: string) => {
      const { node, output } = parseRef(r)
      return ref(id(node), output)
    }
    const graph: Graph = {
      inputs: this.inputs.map(id),
      nodes: this.nodes.map((n) => ({ ...n, id: id(n.id), inputs: n.inputs.map(fix) })),
      outputs: outputs.map((o) => ({ name: o.name, ref: fix(o.value.ref) })),
    }
    signature(graph) // verifies
    return graph
  }

  private push<K extends OpName>(
    op: K,
    args: readonly Value[],
    attrs: OpAttrs[K],
    id: string,
    isLeaf: boolean,
  ): Value[] {
    const argTypes = args.map((a) => a.type)
    let out: ValueType[]
    try {
      out = ops[op].infer(argTypes, attrs as never, { verifyBody: (body) => signature(body) })
    } catch (e) {
      if (!(e instanceof ShapeRuleError)) throw e
      const shapes = args.map((a) => `%${a.ref} ${formatType(a.type)}`).join(', ')
      throw new GraphError(`node %${id} (${op}): ${e.message} (inputs: ${shapes})`, id, op)
    }
    // a generic K is not narrowed: the op and its attributes come in together, so they agree
    this.nodes.push({ id, op, inputs: args.map((a) => a.ref), attrs } as NodeOf<OpName> as Node)
    if (isLeaf) this.inputs.push(id)
    this.types.set(id, out)
    return out.map((t, k) => new Value(this, ref(id, k), t))
  }
}

let current: GraphBuilder | undefined

/** Runs `fn` with `builder` as the target of parameter and constant creation. */
export function tracing<T>(builder: GraphBuilder, fn: () => T): T {
  const outer = current
  current = builder
  try {
    return fn()
  } finally {
    current = outer
  }
}

export function currentBuilder(what: string): GraphBuilder {
  if (!current) throw new GraphError(`${what} can only be called while a cell is being defined`)
  return current
}
