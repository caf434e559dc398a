import { add, type Graph, GraphBuilder, verify } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { defaultCpuBackend, fusePointwise, MAX_FUSED_MEMBERS, referenceBackend } from '../src/index.js'
import { randomInputs, runOn } from './support/run.js'
import { firstMismatch } from './support/tolerance.js'

/** A chain of `length` pointwise nodes over one batch input of 3 features. */
function chain(length: number): Graph {
  const nodes: Graph['nodes'][number][] = [
    { id: 'x', op: 'input', inputs: [], attrs: { name: 'x', type: { layout: 'batch', shape: [3] } } },
  ]
  for (let i = 0; i < length; i++)
    nodes.push({
      id: `n${i}`,
      op: i % 2 ? 'tanh' : 'sigmoid',
      inputs: [i ? `n${i - 1}` : 'x'],
      attrs: {},
    } as never)
  return { inputs: ['x'], nodes, outputs: [{ name: 'y', ref: `n${length - 1}` }] }
}

/** The sum of `count` separate batch inputs: one kernel over all of them would take 2 parameters each. */
function wideSum(count: number): Graph {
  const b = new GraphBuilder()
  let sum = b.leaf('input', 'x0', { name: 'x0', type: { layout: 'batch', shape: [3] } })
  for (let i = 1; i < count; i++)
    sum = add(sum, b.leaf('input', `x${i}`, { name: `x${i}`, type: { layout: 'batch', shape: [3] } }))
  return b.build([{ name: 'y', value: sum }])
}

async function agreesWithReference(graph: Graph) {
  const inputs = randomInputs(graph, 2, 1)
  const want = await runOn(referenceBackend(), graph, inputs)
  const got = await runOn(defaultCpuBackend(), graph, inputs)
  expect(firstMismatch(got.y!, want.y!), 'cpu-wasm against the reference').toBeUndefined()
}

describe('large graphs compile, without deep recursion or engine limits', () => {
  it('a chain of 2·10⁴ pointwise nodes compiles on the WebAssembly backend and agrees with the reference', async () => {
    await agreesWithReference(chain(20_000))
  }, 120_000) // a guard against a hang, not a speed bound: the bench states the compile-time bound

  it('fused kernels are bounded: a chain of 10⁴ nodes makes kernels of at most MAX_FUSED_MEMBERS', () => {
    const graph = chain(10_000)
    const kernels = fusePointwise(graph, verify(graph))
    expect(kernels.every((k) => k.members.length <= MAX_FUSED_MEMBERS)).toBe(true)
    expect(kernels).toHaveLength(Math.ceil(10_000 / MAX_FUSED_MEMBERS))
    expect(kernels.reduce((n, k) => n + k.members.length, 0)).toBe(10_000)
  })

  it('a kernel that would take more than 1,000 WebAssembly parameters is split (600 inputs summed)', async () => {
    await agreesWithReference(wideSum(600))
  })
})
