import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/**
 * Writes a file so that readers see either the old contents or the new, never a torn mix: the
 * bytes go to a temporary file in the same directory, are flushed to disk, and the temporary file
 * is renamed over the target (rename is atomic within one file system).
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.tmp`)
  const fd = openSync(temp, 'w')
  try {
    let written = 0
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written)
    fsyncSync(fd)
  } catch (e) {
    closeSync(fd)
    rmSync(temp, { force: true })
    throw e
  }
  closeSync(fd)
  try {
    renameSync(temp, path)
  } catch (e) {
    rmSync(temp, { force: true })
    throw e
  }
  // Flush the directory entry too, so the rename itself survives a crash.
  try {
    const dirFd = openSync(dir, 'r')
    fsyncSync(dirFd)
    closeSync(dirFd)
  } catch {
    // Some platforms cannot open a directory for fsync; the rename is still atomic.
  }
}
