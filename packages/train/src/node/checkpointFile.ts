import { readFileSync } from 'node:fs'
import { type Checkpoint, CheckpointError, decodeCheckpoint, encodeCheckpoint } from '../checkpoint.js'
import { SafetensorsError } from '../safetensors.js'
import { writeFileAtomic } from './atomicWrite.js'

/** Writes a checkpoint atomically: an interrupted save leaves the previous file intact. */
export function saveCheckpoint(path: string, c: Checkpoint): void {
  writeFileAtomic(path, encodeCheckpoint(c))
}

/** Reads and validates a checkpoint file; errors name the file and what is wrong in it. */
export function loadCheckpoint(path: string): Checkpoint {
  let bytes: Uint8Array
  try {
    bytes = readFileSync(path)
  } catch (e) {
    throw new CheckpointError(`cannot read checkpoint '${path}': ${(e as NodeJS.ErrnoException).code ?? e}`)
  }
  try {
    return decodeCheckpoint(bytes)
  } catch (e) {
    if (e instanceof CheckpointError || e instanceof SafetensorsError || e instanceof Error)
      throw new CheckpointError(`checkpoint '${path}': ${e.message}`)
    throw e
  }
}
