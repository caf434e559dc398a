import { type ParseArgsConfig, parseArgs } from 'node:util'
import { printable } from '@cellgraph/graph'

/** A command-line usage error: printed as one line, exit status 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** An error the user can fix (bad file, bad option value): printed as one line, exit status 1. */
export class CliError extends Error {
  override name = 'CliError'
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>

/** Parses options strictly: unknown options and missing values are usage errors that name them. */
export function parse<O extends OptionSpec>(argv: readonly string[], options: O, positionals = 0): Parsed<O> {
  let parsed: { values: Record<string, unknown>; positionals: string[] }
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true })
  } catch (e) {
    throw new UsageError(
      printable((e as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, '')),
    )
  }
  if (parsed.positionals.length > positionals)
    throw new UsageError(`unexpected argument '${printable(parsed.positionals[positionals]!)}'`)
  return parsed as Parsed<O>
}

/** Parsed option values: booleans, strings with a default, or possibly missing strings. */
export type OptionValues<O extends OptionSpec> = {
  [K in keyof O]: O[K] extends { type: 'boolean' }
    ? boolean
    : O[K] extends { default: string }
      ? string
      : string | undefined
}

export interface Parsed<O extends OptionSpec> {
  readonly values: OptionValues<O>
  readonly positionals: string[]
}

/** An integer option in [min, max], or a usage error naming the option. */
export function integer(name: string, value: string | undefined, min = 1, max = 2 ** 31): number {
  const n = Number(value)
  if (value === undefined || value.trim() === '' || !Number.isInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${printable(String(value))}'`)
  if (n > max) throw new UsageError(`--${name} must be at most ${max}, got '${printable(value)}'`)
  return n
}

/** A finite number option within [min, max]. */
export function number(
  name: string,
  value: string | undefined,
  min = 0,
  max = Number.POSITIVE_INFINITY,
): number {
  const n = Number(value)
  if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a number in [${min}, ${max}], got '${printable(String(value))}'`)
  return n
}

/** One of a fixed set of choices. */
export function choice<T extends string>(name: string, value: string | undefined, choices: readonly T[]): T {
  if (!choices.includes(value as T))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${printable(String(value))}'`)
  return value as T
}
