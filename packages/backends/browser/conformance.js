// The conformance cases in a browser page, on navigator.gpu: every built-in cell and the
// two-layer stack (ordinary and saturated inputs) and random cells from the shared generator,
// forward and backward, against the float64 reference interpreter, with the suite's tolerance.
// test/webgpu/browser.test.ts serves this page to headless Chromium and reads `cellgraphResult`.
import { webgpuBackend } from '@cellgraph/backends/webgpu'
import { backwardCase, builtinModelCases, forwardCase } from '@cellgraph/testing/conformance/cases'
import { graphMismatch } from '@cellgraph/testing/conformance/check'
import { CONFORMANCE_TOLERANCE } from '@cellgraph/testing/conformance/tolerance'
import { cellCaseArb } from '@cellgraph/testing/random/cellCase'
import fc from 'fast-check'

const randomCells = 2

async function main() {
  const backend = await webgpuBackend()
  const failures = []
  let cases = 0
  const check = async (c) => {
    cases++
    const problem = await graphMismatch(backend, c, CONFORMANCE_TOLERANCE)
    if (problem) failures.push(problem)
  }
  for (const c of builtinModelCases()) {
    await check(forwardCase(c, `${c.name} forward`))
    await check(backwardCase(c, `${c.name} backward`))
  }
  for (const c of fc.sample(cellCaseArb(), { seed: 20260101, numRuns: randomCells })) {
    await check(forwardCase(c))
    await check(backwardCase(c))
  }
  backend.dispose()
  return { adapter: backend.adapterName, inBrowser: 'gpu' in navigator, cases, failures }
}

main().then(
  (result) => {
    globalThis.cellgraphResult = result
  },
  (e) => {
    globalThis.cellgraphResult = { error: String(e?.stack ?? e) }
  },
)
