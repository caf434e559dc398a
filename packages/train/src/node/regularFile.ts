import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs'

/** A path that cannot be read as a regular file of bounded size; the message names it. */
export class FileError extends Error {
  override name = 'FileError'
}

/**
 * Opens `path` for reading only if it is a regular file of at most `maxBytes`: devices
 * (`/dev/zero`, `/dev/urandom`), FIFOs, sockets and directories are refused before a byte is read.
 * The type is checked on the opened descriptor (no window between a check and the open), and the
 * open does not block, so a FIFO with no writer cannot hang it. `what` names the file in errors.
 */
export function openRegularFile(path: string, what: string, maxBytes: number): { fd: number; size: number } {
  let fd: number
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  } catch (e) {
    throw new FileError(`cannot read ${what} '${path}': ${(e as NodeJS.ErrnoException).code ?? e}`)
  }
  const stat = fstatSync(fd)
  const problem = stat.isDirectory()
    ? 'is a directory'
    : !stat.isFile()
      ? 'is not a regular file (a device, FIFO or socket)'
      : stat.size > maxBytes
        ? `is ${stat.size} bytes; the limit is ${maxBytes}`
        : undefined
  if (problem) {
    closeSync(fd)
    throw new FileError(`${what} '${path}' ${problem}`)
  }
  return { fd, size: stat.size }
}

/** The bytes of a regular file of at most `maxBytes` (see openRegularFile). */
export function readRegularFile(path: string, what: string, maxBytes: number): Uint8Array {
  const { fd, size } = openRegularFile(path, what, maxBytes)
  try {
    const bytes = new Uint8Array(size)
    let read = 0
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, null)
      if (n === 0) break // the file shrank while being read
      read += n
    }
    return bytes.subarray(0, read)
  } finally {
    closeSync(fd)
  }
}
