import { readdirSync, rmSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/**
 * Removes the temporary files that saves of `path` left behind when their process was killed
 * (`.NAME.PID.TIME.tmp`, see writeFileAtomic), so they do not pile up. A file whose process is
 * still alive may be a save in progress and is kept. Returns the names removed.
 */
export function removeStaleTemps(path: string): string[] {
  const dir = dirname(path)
  const prefix = `.${basename(path)}.`
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const removed: string[] = []
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue
    const match = /^(\d+)\.\d+\.tmp$/.exec(name.slice(prefix.length))
    if (!match || isAlive(Number(match[1]))) continue
    rmSync(join(dir, name), { force: true })
    removed.push(name)
  }
  return removed
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM' // alive, owned by someone else
  }
}
