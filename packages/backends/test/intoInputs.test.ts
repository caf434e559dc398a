import { initialStates, truncatedWindow, withLoss } from '@cellgraph/autodiff'
import { lstm, mul, sequenceGraph, sumAll } from '@cellgraph/graph'
import { afterAll, describe, expect, it } from 'vitest'
import {
  type Backend,
  cpuBackend,
  type DeviceTensor,
  referenceBackend,
  wasmCpuBackend,
} from '../src/index.js'
import { randomInputs } from './support/run.js'
import { testBackend } from './webgpu/testBackend.js'

// A truncated-BPTT window of an LSTM: its backward scan reads the initial states again after the
// forward scan has computed the final ones, so writing the finals over the initials too early
// would change the gradients.
const model = withLoss(sequenceGraph([lstm({ input: 2, hidden: 3 })]), ({ y }, b) =>
  sumAll(mul(y!, b.leaf('input', 'R', { name: 'R', type: y!.type }))),
)
const window = truncatedWindow(model, { loss: 'loss', wrt: ['l0.i.W', 'l0.f.W'] })
const host = randomInputs(window.graph, 2, 4, 5)

/** Three windows, each one's final states carried into the next: `inPlace` writes them over the initial-state inputs. */
async function threeWindows(backend: Backend, inPlace: boolean) {
  const exe = await backend.compile(window.graph)
  const bound: Record<string, DeviceTensor> = Object.fromEntries(
    Object.entries(host).map(([n, t]) => [n, backend.upload(t)]),
  )
  const carried = Object.fromEntries(window.states.map((s) => [s.final, bound[s.initial]!]))
  const seen: number[][] = []
  for (let k = 0; k < 3; k++) {
    const out = await exe.run(bound, inPlace ? { into: carried } : {})
    if (!inPlace) for (const s of window.states) carried[s.final]!.write(await out[s.final]!.read())
    for (const name of ['loss', 'grad.l0.i.W', 'grad.l0.f.W']) seen.push(Array.from(await out[name]!.read()))
  }
  for (const t of Object.values(initialStates(window.states, carried))) seen.push(Array.from(await t.read()))
  exe.dispose()
  return seen
}

const gpu = await testBackend()
afterAll(() => gpu.dispose())

describe('an output written into one of the same run’s inputs', () => {
  for (const [name, backend] of [
    ['reference', referenceBackend()],
    ['cpu-js', cpuBackend()],
    ['cpu', wasmCpuBackend({ threads: 1 })],
    ['webgpu', gpu],
  ] as const)
    it(`is written after every read of that input (${name})`, { timeout: 60_000 }, async () => {
      expect(await threeWindows(backend, true)).toEqual(await threeWindows(backend, false))
    })
})
