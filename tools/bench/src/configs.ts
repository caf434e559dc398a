/** The sizes the benchmark runs: batch B, timesteps T, input features I, hidden units H. */
export interface BenchConfig {
  readonly name: string
  readonly batch: number
  readonly steps: number
  readonly input: number
  readonly hidden: number
}

export const configs: readonly BenchConfig[] = [
  { name: 'small', batch: 1, steps: 32, input: 16, hidden: 32 },
  { name: 'medium', batch: 32, steps: 64, input: 64, hidden: 256 },
  { name: 'large', batch: 64, steps: 128, input: 256, hidden: 512 },
]

export type Mode = 'train' | 'infer'
export const modes: readonly Mode[] = ['train', 'infer']

export const modeLabel: Record<Mode, string> = {
  train: 'training step',
  infer: 'inference',
}

export function configByName(name: string): BenchConfig {
  const found = configs.find((c) => c.name === name)
  if (!found)
    throw new Error(`unknown config '${name}'; the configs are ${configs.map((c) => c.name).join(', ')}`)
  return found
}

export const describeConfig = (c: BenchConfig): string =>
  `B=${c.batch} T=${c.steps} I=${c.input} H=${c.hidden}`
