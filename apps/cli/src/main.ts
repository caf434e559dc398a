#!/usr/bin/env node
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { printable } from '@cellgraph/graph'
import { UsageError } from './args.js'
import { compile, compileHelp } from './commands/compile.js'
import { evalHelp, evaluate } from './commands/evaluate.js'
import { experiment, experimentHelp } from './commands/experiment.js'
import { exportHelp, exportModel } from './commands/export.js'
import { gradcheck, gradcheckHelp } from './commands/gradcheck.js'
import { sample, sampleHelp } from './commands/sample.js'
import { train, trainHelp } from './commands/train.js'
import { demo } from './demo.js'

type Command = (argv: readonly string[], write: (line: string) => void) => Promise<number>

const commands: Record<string, { run: Command; help: string; summary: string }> = {
  train: {
    run: train,
    help: trainHelp,
    summary: 'train a character-level language model (no options: the built-in default)',
  },
  sample: { run: sample, help: sampleHelp, summary: 'generate text from a checkpoint' },
  eval: {
    run: evaluate,
    help: evalHelp,
    summary: 'held-out loss and bits per character, next to n-gram baselines',
  },
  gradcheck: {
    run: gradcheck,
    help: gradcheckHelp,
    summary: "check a cell's gradients against finite differences",
  },
  compile: {
    run: compile,
    help: compileHelp,
    summary: 'compile a cell; --print shows each pass and the kernels',
  },
  export: {
    run: exportModel,
    help: exportHelp,
    summary: 'write a checkpoint as an ONNX model (--onnx FILE)',
  },
  experiment: {
    run: experiment,
    help: experimentHelp,
    summary: 'long-range: the adding problem across cells and lags',
  },
  demo: {
    run: async (_argv, write) => {
      demo(write)
      return 0
    },
    help: "Usage: cellgraph demo\n\nPrints the seed's LSTM as a graph and runs it over a sequence.\n",
    summary: "print the seed's LSTM as a graph and run it over a sequence",
  },
}

const usage = `cellgraph — recurrent cells as graphs

Usage: cellgraph <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(11)}${c.summary}`)
  .join('\n')}
  help       show this help

Run 'cellgraph <command> --help' for a command's options.
`

/** Runs the program; returns the exit status. Errors print as one line on stderr. */
export async function main(
  argv: readonly string[],
  print: (line: string) => void = console.log,
): Promise<number> {
  // Names and text from files (cells, checkpoints, corpora) may hold terminal escapes: shown escaped.
  const write = (line: string) => print(printable(line, true))
  const [name = 'help', ...rest] = argv
  if (name === 'help' || name === '--help' || name === '-h') {
    const topic = Object.hasOwn(commands, rest[0] ?? '') ? commands[rest[0]!] : undefined
    write(topic ? topic.help : usage)
    return 0
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined
  if (!command) {
    process.stderr.write(`cellgraph: unknown command '${printable(name)}'. Run 'cellgraph help'.\n`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    write(command.help)
    return 0
  }
  try {
    return await command.run(rest, write)
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e)
    // A progress bar may have left the terminal's cursor mid-line.
    const fresh = process.stderr.isTTY ? '\n' : ''
    process.stderr.write(`${fresh}cellgraph ${name}: ${printable(message.split('\n')[0]!)}\n`)
    if (process.env.CELLGRAPH_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`)
    if (e instanceof UsageError) process.stderr.write(`Run 'cellgraph ${name} --help' for its options.\n`)
    return e instanceof UsageError ? 2 : 1
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)
if (invokedDirectly) process.exitCode = await main(process.argv.slice(2))
