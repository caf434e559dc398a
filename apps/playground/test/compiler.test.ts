import { gradcheck } from '@cellgraph/autodiff'
import { cpuBackend } from '@cellgraph/backends'
import { gru, lstm } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { lossModel, randomInputs } from '../src/compiler/lossModel.js'
import { compilerReport } from '../src/compiler/report.js'

describe('the compiler views', () => {
  it('prints the forward and backward graphs, every pass, the plan and the generated code', async () => {
    const report = await compilerReport(lstm({ input: 3, hidden: 4 }), cpuBackend({ name: 'cpu-js' }))
    expect(report.forward).toMatch(/scan/)
    expect(report.backward).toMatch(/grad\.l0\.i\.W/)
    expect(report.passes[0]!.name).toBe('input')
    expect(report.passes.length).toBeGreaterThan(2)
    expect(report.plan).toMatch(/loop %/)
    expect(report.kernels.length).toBeGreaterThan(0)
    expect(report.kernels[0]!.name).toMatch(/cpu code \(batch 2, steps 3\)/)
    expect(report.backend).toBe('cpu-js')
  })

  it('makes inputs for the loss model that its gradient check accepts', () => {
    const model = lossModel(gru({ input: 2, hidden: 3 }))
    const inputs = randomInputs(model, { batch: 2, steps: 3, seed: 4 })
    expect(inputs.x!.dims).toEqual([3, 2, 2])
    expect(inputs['l0.h0']!.dims).toEqual([2, 3])
    const check = gradcheck(model, inputs, { loss: 'loss' })
    const worst = Math.max(...Object.values(check).map((c) => c.error))
    expect(worst).toBeLessThan(1e-5)
  })
})
