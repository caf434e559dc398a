import { type Checkpoint, CheckpointError, decodeCheckpoint, encodeCheckpoint } from '../checkpoint.js'
import { SafetensorsError } from '../safetensors.js'
import { writeFileAtomic } from './atomicWrite.js'
import { readRegularFile } from './regularFile.js'

/** The largest checkpoint read (a typed array's byte limit in Node 20 is 4 GiB). */
export const MAX_CHECKPOINT_BYTES = 2 ** 32 - 1

/** Writes a checkpoint atomically: an interrupted save leaves the previous file intact. */
export function saveCheckpoint(path: string, c: Checkpoint): void {
  writeFileAtomic(path, encodeCheckpoint(c))
}

/** Reads and validates a checkpoint file; errors name the file and what is wrong in it. */
export function loadCheckpoint(path: string): Checkpoint {
  let bytes: Uint8Array
  try {
    bytes = readRegularFile(path, 'checkpoint', MAX_CHECKPOINT_BYTES)
  } catch (e) {
    throw new CheckpointError((e as Error).message)
  }
  try {
    return decodeCheckpoint(bytes)
  } catch (e) {
    if (e instanceof CheckpointError || e instanceof SafetensorsError || e instanceof Error)
      throw new CheckpointError(`checkpoint '${path}': ${e.message}`)
    throw e
  }
}
