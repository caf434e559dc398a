import {
  type Backend,
  cpuBackend,
  type DeviceTensor,
  type Executable,
  referenceBackend,
} from '@cellgraph/backends'
import type { Mode } from '../configs.js'
import { type Engine, measureSession, type Session } from '../engine.js'
import type { CheckCase, Problem } from '../workload.js'

interface Bound {
  readonly exe: Executable
  readonly fixed: Record<string, DeviceTensor>
  /** The input tensor each run writes its x into, as a training loop would reuse it. */
  readonly x: DeviceTensor
}

/**
 * cellgraph's forward graph on a backend: parameters uploaded once, zero initial states and R per
 * sequence length; each run uploads its input, runs, and reads the outputs back to the host.
 */
async function openForward(backend: Backend, problem: Problem): Promise<Session<Float32Array>> {
  const { cell } = problem
  const { batch, input, hidden } = problem.config
  const exe = await backend.compile(problem.graph)
  const params = Object.fromEntries(Object.entries(problem.params).map(([n, t]) => [n, backend.upload(t)]))
  const owned: DeviceTensor[] = Object.values(params)
  const bind = (b: number, steps: number, R: Float32Array): Bound => {
    const fixed: Record<string, DeviceTensor> = { ...params }
    const x = backend.upload({ dims: [steps, b, input], data: new Float32Array(steps * b * input) })
    owned.push(x)
    for (const s of cell.state)
      owned.push((fixed[`${s}0`] = backend.upload({ dims: [b, hidden], data: new Float32Array(b * hidden) })))
    owned.push((fixed.R = backend.upload({ dims: [steps, b, hidden], data: R })))
    return { exe, fixed, x }
  }
  const perSteps = new Map<number, Bound>()
  const boundFor = (steps: number) => {
    let b = perSteps.get(steps)
    if (!b) perSteps.set(steps, (b = bind(batch, steps, problem.R.subarray(0, steps * batch * hidden))))
    return b
  }
  const forward = async (bound: Bound, x: Float32Array) => {
    bound.x.write(x)
    return bound.exe.run({ ...bound.fixed, x: bound.x })
  }
  return {
    async checkLoss(check: CheckCase) {
      const out = await forward(bind(check.batch, check.steps, check.R), check.x)
      return (await out.loss!.read())[0]!
    },
    prepare: (x) => x,
    train: () => Promise.reject(new Error('training needs the backward graph')),
    async infer(x, steps) {
      const out = await forward(boundFor(steps), x)
      await out.y!.read()
    },
    dispose() {
      for (const t of owned) t.dispose()
      exe.dispose()
    },
  }
}

/**
 * cellgraph's float64 reference interpreter (the oracle, not built for speed): inference only until
 * training graphs exist, and only at sizes where it finishes in seconds.
 */
export function referenceEngine(): Engine {
  const name = 'cellgraph reference interpreter (float64)'
  const modes: readonly Mode[] = ['infer']
  return {
    name,
    modes,
    skip: (config) =>
      config.name === 'small' ? undefined : 'the float64 interpreter is run at the small size only',
    note: 'cellgraph reference interpreter: the float64 oracle, plain loops, run only at the small size.',
    run: async (problem, request) =>
      measureSession(name, await openForward(referenceBackend(), problem), problem, {
        ...request,
        modes: request.modes.filter((m) => modes.includes(m)),
      }),
  }
}

/** cellgraph's compiled CPU backend (float32, generated code, preallocated buffers). */
export function cpuEngine(): Engine {
  const name = 'cellgraph cpu'
  const modes: readonly Mode[] = ['infer']
  return {
    name,
    modes,
    run: async (problem, request) =>
      measureSession(name, await openForward(cpuBackend(), problem), problem, {
        ...request,
        modes: request.modes.filter((m) => modes.includes(m)),
      }),
  }
}
