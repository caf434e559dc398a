import { existsSync } from 'node:fs'
import { lstm } from '@cellgraph/graph'
import { describe, expect, it, vi } from 'vitest'
import { checkLoss, LossMismatchError } from '../src/agreement.js'
import { measureSession } from '../src/engine.js'
import { openTfjsSession } from '../src/engines/tfjs.js'
import { systemPython, torchEngine } from '../src/engines/torch.js'
import { type TfjsLstmWeights, tfjsFromTorch, torchLstmWeights, transpose } from '../src/layouts.js'
import { makeProblem } from '../src/workload.js'

const config = { name: 'tiny', batch: 3, steps: 5, input: 4, hidden: 6 }
const problem = makeProblem(lstm, config)
const { input: I, hidden: H } = config
const right = tfjsFromTorch(torchLstmWeights(problem.cell, problem.params), I, H)

/** Reorders the four gate blocks of every column of a [rows, 4H] kernel and of the bias. */
function reorderGates(w: TfjsLstmWeights, order: readonly number[]): TfjsLstmWeights {
  const permute = (m: Float32Array, rows: number) => {
    const out = new Float32Array(m.length)
    for (let r = 0; r < rows; r++)
      order.forEach((from, to) =>
        out.set(m.subarray(r * 4 * H + from * H, r * 4 * H + (from + 1) * H), r * 4 * H + to * H),
      )
    return out
  }
  return {
    kernel: permute(w.kernel, I),
    recurrentKernel: permute(w.recurrentKernel, H),
    bias: permute(w.bias, 1),
  }
}

const wrongLayouts: Record<string, TfjsLstmWeights> = {
  "ONNX's gate order i, o, f, c": reorderGates(right, [0, 3, 1, 2]),
  'kernels not transposed': {
    ...right,
    kernel: transpose(right.kernel, I, 4 * H),
    recurrentKernel: transpose(right.recurrentKernel, H, 4 * H),
  },
  'bias_hh left out': {
    ...right,
    bias: Float32Array.from(torchLstmWeights(problem.cell, problem.params).bias_ih),
  },
}

describe('the loss check', () => {
  it('accepts the float64 reference loss and rejects a loss off by a thousandth of Σ|h·R|', () => {
    expect(checkLoss('same', problem.check.loss, problem.check)).toBe(0)
    expect(() => checkLoss('off', problem.check.loss + 1e-3 * problem.check.scale, problem.check)).toThrow(
      LossMismatchError,
    )
    expect(() => checkLoss('nan', Number.NaN, problem.check)).toThrow(/nan: loss NaN/)
  })

  for (const style of ['layers', 'cell'] as const) {
    it(`passes tfjs ${style} with weights mapped through the PyTorch layout`, async () => {
      const session = await openTfjsSession('cpu', style, problem, right)
      const loss = await session.checkLoss!(problem.check)
      session.dispose()
      expect(checkLoss(style, loss, problem.check)).toBeLessThan(1e-6)
    })

    for (const [mistake, weights] of Object.entries(wrongLayouts))
      it(`catches tfjs ${style} with ${mistake}, before any timing`, async () => {
        const session = await openTfjsSession('cpu', style, problem, weights)
        const train = vi.spyOn(session, 'train')
        const run = measureSession(`tfjs ${style}`, session, problem, {
          modes: ['train'],
          plan: { warmup: 0, reps: 1 },
          steps: config.steps,
        })
        await expect(run).rejects.toThrow(LossMismatchError)
        expect(train).not.toHaveBeenCalled()
      })
  }

  it.skipIf(!existsSync(systemPython))(
    "passes PyTorch's nn.LSTM through toTorch, or reports it not installed",
    async () => {
      try {
        const [first] = await torchEngine([1]).run(problem, {
          modes: ['infer'],
          plan: { warmup: 0, reps: 1 },
          steps: config.steps,
        })
        expect(first!.engine).toMatch(
          /^pytorch .*, (OpenBLAS|BLIS|reference BLAS|unknown BLAS) \(1 thread\)$/,
        )
      } catch (error) {
        expect((error as Error).message).toMatch(/^not installed/)
      }
    },
    30_000,
  )
})
