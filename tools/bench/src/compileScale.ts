#!/usr/bin/env node
import { grad, mseLoss, withLoss } from '@cellgraph/autodiff'
import { defaultCpuBackend } from '@cellgraph/backends'
import { builtinCells, type Graph, sequenceGraph, stackCells } from '@cellgraph/graph'

/**
 * Compile time against graph size (`pnpm --filter @cellgraph/bench compile-scale`): chains of
 * pointwise nodes up to 10⁵ and training graphs of LSTM stacks up to 80 layers, compiled for the
 * default CPU backend. Compiling must stay linear: the 10⁵-node chain has to compile within
 * BOUND_MS, or the run exits 1.
 */
const BOUND_MS = 60_000

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

/** The training graph (forward, loss, BPTT) of an LSTM stack of `layers` layers. */
function lstmTraining(layers: number): Graph {
  const forward = sequenceGraph(stackCells(builtinCells.lstm!, { input: 4, hidden: 8, layers }))
  const loss = withLoss(forward, ({ y }, b) =>
    mseLoss(y!, b.leaf('input', 'target', { name: 'target', type: y!.type })),
  )
  return grad(loss, { loss: 'loss' })
}

async function compileMs(graph: Graph): Promise<number> {
  const backend = defaultCpuBackend()
  const started = performance.now()
  const exe = await backend.compile(graph)
  const ms = performance.now() - started
  exe.dispose()
  backend.dispose()
  return ms
}

const rows: string[] = []
let chainMs = 0
for (const length of [1_000, 10_000, 100_000]) {
  const ms = await compileMs(chain(length))
  rows.push(
    `| chain of ${length.toLocaleString('en')} pointwise nodes | ${length.toLocaleString('en')} | ${(ms / 1000).toFixed(2)} s |`,
  )
  chainMs = ms
}
for (const layers of [10, 40, 80]) {
  const graph = lstmTraining(layers)
  const ms = await compileMs(graph)
  rows.push(
    `| LSTM training graph, ${layers} layers | ${graph.nodes.length.toLocaleString('en')} (+ scan bodies) | ${(ms / 1000).toFixed(2)} s |`,
  )
}
console.log('| graph | nodes | compile (cpu-wasm) |\n| --- | ---: | ---: |')
for (const row of rows) console.log(row)
const ok = chainMs <= BOUND_MS
console.log(
  `\nThe 10⁵-node chain compiled in ${(chainMs / 1000).toFixed(1)} s; the bound is ${BOUND_MS / 1000} s: ${ok ? 'met' : 'EXCEEDED'}.`,
)
process.exitCode = ok ? 0 : 1
