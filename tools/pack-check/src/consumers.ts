import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { run } from './run.js'
import { workspaceRoot } from './workspace.js'

/** A Node.js program using every package's public types, as a TypeScript user would write it. */
const nodeConsumer = `import { grad } from '@cellgraph/autodiff'
import { backendNames, compile, openBackend, type WebGpuContext } from '@cellgraph/backends'
import { defineCell, layer, lstm, sequenceGraph, tanh } from '@cellgraph/graph'
import * as interop from '@cellgraph/interop'
import { type FitOptions, recurrentModel, type RecurrentModel } from '@cellgraph/train'
import { loadCheckpoint, saveCheckpoint } from '@cellgraph/train/node'
import { Arena } from '@cellgraph/wasm'

const cell = defineCell('mine', { state: ['h'] }, ({ x, h }, { hidden }) => {
  const next = layer('h', x, hidden, tanh)
  return { state: { h: next }, output: next }
})
const options: FitOptions = { epochs: 2, signal: new AbortController().signal }
const model: RecurrentModel = await recurrentModel({ cell, inputSize: 2, backend: 'cpu-js' })
await model.fit([{ x: [[1, 2]], y: 1 }], options)
const compiled = await compile(sequenceGraph([lstm({ input: 2, hidden: 3 })]), { backend: 'cpu-js' })
const device: WebGpuContext['device'] | undefined = undefined
console.log(grad, backendNames, openBackend, interop, loadCheckpoint, saveCheckpoint, Arena, compiled, device)
`

/** A browser page's module: the root entries only, with the DOM library. */
const domConsumer = `import { lstm } from '@cellgraph/graph'
import { loadFromIndexedDB, loadModel, recurrentModel, saveToIndexedDB } from '@cellgraph/train'

const model = await recurrentModel({ cell: lstm, inputSize: 1, backend: 'cpu-js' })
await saveToIndexedDB('m', await model.save())
const again = await loadModel((await loadFromIndexedDB('m'))!)
document.body.textContent = String(again.spec.outputs)
`

const strict = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noEmit: true,
  // The point: the packages' declaration files are checked too.
  skipLibCheck: false,
}

/**
 * Type-checks both consumers in the project without skipLibCheck: a Node.js one (ES2022 and
 * @types/node, no DOM) and a browser one (ES2022 and DOM, no Node types). Returns tsc's output.
 */
export function typecheckConsumers(project: string): { node: string; dom: string } {
  writeFileSync(join(project, 'src', 'node.ts'), nodeConsumer)
  writeFileSync(join(project, 'src', 'dom.ts'), domConsumer)
  const tsc = join(workspaceRoot, 'node_modules', 'typescript', 'bin', 'tsc')
  const check = (name: string, file: string, extra: object) => {
    const config = join(project, `tsconfig.${name}.json`)
    writeFileSync(
      config,
      JSON.stringify({ compilerOptions: { ...strict, ...extra }, files: [file] }, null, 2),
    )
    return run(process.execPath, [tsc, '-p', config], project)
  }
  return {
    // @types/node from the workspace, as a Node project would have it installed.
    node: check('node', 'src/node.ts', {
      lib: ['ES2022'],
      types: ['node'],
      typeRoots: [join(workspaceRoot, 'node_modules', '@types')],
    }),
    dom: check('dom', 'src/dom.ts', { lib: ['ES2022', 'DOM'], types: [] }),
  }
}
