import type { GpuProfile, GpuWork } from '@cellgraph/backends'
import { describe, expect, it } from 'vitest'
import { configByName } from '../src/configs.js'
import { measureSession, type Session } from '../src/engine.js'
import { benchCells } from '../src/model.js'
import { makeProblem } from '../src/workload.js'

const profile: GpuProfile = {
  runs: 1,
  dispatches: 3,
  gpuMs: 1,
  kinds: [{ kind: 'product', dispatches: 3, ms: 1 }],
}

describe('--profile in a measurement', () => {
  it('profiles one call after the timed ones, and keeps the device work of the last timed call', async () => {
    let calls = 0
    let profiling = false
    const work = (): GpuWork => ({
      submissions: 1,
      passes: profiling ? 9 : 1,
      dispatches: calls,
      writes: 1,
      readBacks: 1,
    })
    let last: GpuWork | undefined
    const session: Session<Float32Array> = {
      prepare: (x) => x,
      train: async () => {
        calls++
        last = work()
      },
      infer: async () => {},
      work: () => last,
      profiled: async (call) => {
        profiling = true
        await call()
        profiling = false
        return profile
      },
      dispose: () => {},
    }
    const problem = makeProblem(benchCells.lstm!, configByName('small'))
    const [m] = await measureSession('fake', session, problem, {
      modes: ['train'],
      plan: { warmup: 1, reps: 2 },
      steps: problem.config.steps,
      profile: true,
    })
    expect(calls).toBe(4) // 1 + 2 timed + 1 profiled
    expect(m!.runsMs).toHaveLength(2)
    expect(m!.work).toMatchObject({ passes: 1, dispatches: 3 })
    expect(m!.profile).toBe(profile)
  })
})
