#!/usr/bin/env node
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { demo } from './demo.js'

const usage = `cellgraph — recurrent cells as graphs

Usage: cellgraph <command> [options]

Commands:
  demo     print the seed's LSTM as a graph and run it over a sequence
  help     show this help
`

export function main(argv: readonly string[], write: (line: string) => void = console.log): number {
  const [command = 'help'] = argv
  if (command === 'demo') {
    demo(write)
    return 0
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    write(usage)
    return 0
  }
  process.stderr.write(`cellgraph: unknown command '${command}'. Run 'cellgraph help'.\n`)
  return 2
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)
if (invokedDirectly) {
  process.exitCode = main(process.argv.slice(2))
}
