import { closeSync, constants, mkdirSync, openSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { FileError } from './regularFile.js'

/**
 * Makes sure a checkpoint can be saved at `path` before any work is done: its directory exists or
 * is created one level at a time (Node's recursive mkdir never returns under `/proc`), a file can
 * be created there, and `path` is not a directory or a device. Errors name the path.
 */
export function checkCheckpointPath(path: string): void {
  const existing = statOrUndefined(path)
  if (existing && !existing.isFile())
    throw new FileError(
      `checkpoint path '${path}' is ${existing.isDirectory() ? 'a directory' : 'not a regular file'}`,
    )
  const dir = dirname(resolve(path))
  const missing: string[] = []
  let at = dir
  let stat = statOrUndefined(at)
  while (!stat) {
    missing.unshift(at)
    const parent = dirname(at)
    if (parent === at) break
    at = parent
    stat = statOrUndefined(at)
  }
  if (stat && !stat.isDirectory())
    throw new FileError(`cannot save checkpoint '${path}': '${at}' is not a directory`)
  for (const d of missing)
    try {
      mkdirSync(d)
    } catch (e) {
      throw new FileError(
        `cannot save checkpoint '${path}': cannot create '${d}': ${(e as NodeJS.ErrnoException).code ?? e}`,
      )
    }
  const probe = join(dir, `.${basename(path)}.${process.pid}.probe`)
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL))
    rmSync(probe, { force: true })
  } catch (e) {
    throw new FileError(
      `cannot save checkpoint '${path}': '${dir}' is not writable (${(e as NodeJS.ErrnoException).code ?? e})`,
    )
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path)
  } catch {
    return undefined
  }
}
