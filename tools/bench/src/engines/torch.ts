import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { checkLoss, lossTolerance } from '../agreement.js'
import { type Engine, type Measurement, NotInstalled } from '../engine.js'
import { torchLstmWeights } from '../layouts.js'
import { median } from '../timing.js'
import type { Problem } from '../workload.js'
import { learningRate } from './tfjs.js'

/** Debian's interpreter, which python3-torch installs into (the first `python3` on PATH may differ). */
export const systemPython = '/usr/bin/python3'
const script = fileURLToPath(new URL('../../python/torch_lstm.py', import.meta.url))

interface TorchReport {
  readonly unavailable?: string
  readonly checkLoss?: number
  readonly torch?: string
  /** The BLAS library the process loaded: Debian's torch uses whatever libblas.so.3 points to. */
  readonly blas?: string
  readonly results?: { threads: number; mode: 'train' | 'infer'; steps: number; runsMs: number[] }[]
}

/** Packs named float32 arrays into one buffer, recording each one's offset and shape. */
function pack(arrays: Record<string, [Float32Array, number[]]>) {
  let offset = 0
  const index: Record<string, [number, number[]]> = {}
  for (const [name, [data, shape]] of Object.entries(arrays)) {
    index[name] = [offset, shape]
    offset += data.length
  }
  const buffer = new Float32Array(offset)
  for (const [name, [data]] of Object.entries(arrays)) buffer.set(data, index[name]![0])
  return { buffer, index }
}

const runPython = (python: string, args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(python, args, { maxBuffer: 1 << 24 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  )

/**
 * PyTorch's nn.LSTM on the CPU in a Python process, timed with 1 and 2 threads (each its own row).
 * Its loss on the check case is compared with the reference before any timing.
 */
export function torchEngine(threads: readonly number[] = [1, 2], python = systemPython): Engine {
  const name = 'pytorch'
  return {
    name,
    async run(problem: Problem, request): Promise<Measurement[]> {
      if (!existsSync(python)) throw new NotInstalled(`not installed (${python} is missing)`)
      const { batch, input, hidden } = problem.config
      const { steps, plan } = request
      const w = torchLstmWeights(problem.cell, problem.params)
      const runs = plan.warmup + plan.reps
      const { check } = problem
      const { buffer, index } = pack({
        weight_ih: [w.weight_ih, [4 * hidden, input]],
        weight_hh: [w.weight_hh, [4 * hidden, hidden]],
        bias_ih: [w.bias_ih, [4 * hidden]],
        bias_hh: [w.bias_hh, [4 * hidden]],
        check_x: [check.x, [check.steps, check.batch, input]],
        check_R: [check.R, [check.steps, check.batch, hidden]],
        R: [problem.R.subarray(0, steps * batch * hidden), [steps, batch, hidden]],
        ...Object.fromEntries(
          Array.from({ length: runs }, (_, k) => [
            `x${k}`,
            [problem.inputs(k, steps), [steps, batch, input]],
          ]),
        ),
      })
      const dir = await mkdtemp(join(tmpdir(), 'cellgraph-bench-'))
      try {
        await writeFile(join(dir, 'data.bin'), new Uint8Array(buffer.buffer))
        const meta = {
          data: join(dir, 'data.bin'),
          arrays: index,
          config: problem.config,
          check: { loss: check.loss, scale: check.scale, tolerance: lossTolerance },
          learningRate,
          steps,
          budgetMs: request.budgetMs,
          minSteps: request.minSteps,
          warmup: plan.warmup,
          reps: plan.reps,
          threads,
          modes: request.modes,
        }
        await writeFile(join(dir, 'meta.json'), JSON.stringify(meta))
        const { code, stdout, stderr } = await runPython(python, [script, join(dir, 'meta.json')])
        const report = parseReport(stdout, code, stderr)
        if (report.unavailable) throw new NotInstalled(report.unavailable)
        checkLoss(name, report.checkLoss!, check)
        if (code !== 0) throw new Error(`pytorch exited with ${code}: ${stderr.trim()}`)
        return report.results!.map((r) => ({
          engine: `pytorch ${report.torch}, ${report.blas} (${r.threads} thread${r.threads > 1 ? 's' : ''})`,
          mode: r.mode,
          stepsTimed: r.steps,
          runsMs: r.runsMs,
          medianMs: (median(r.runsMs) * problem.config.steps) / r.steps,
        }))
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    },
  }
}

function parseReport(stdout: string, code: number, stderr: string): TorchReport {
  const last = stdout.trim().split('\n').at(-1) ?? ''
  try {
    return JSON.parse(last) as TorchReport
  } catch {
    throw new Error(`pytorch exited with ${code} and no report: ${stderr.trim().split('\n').at(-1) ?? ''}`)
  }
}
