import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** Bytes of every file under a folder. */
export function folderBytes(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) total += folderBytes(path)
    else if (entry.isFile()) total += statSync(path).size
  }
  return total
}

/** An installed package's folder and those of its dependencies, transitively (hoisted layout). */
export function withDependencies(project: string, name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen
  seen.add(name)
  const manifest = JSON.parse(readFileSync(join(project, 'node_modules', name, 'package.json'), 'utf8'))
  for (const dep of Object.keys(manifest.dependencies ?? {})) withDependencies(project, dep, seen)
  return seen
}

/** Installed size of a package alone and with its dependencies, in bytes. */
export function installedSize(project: string, name: string): { alone: number; withDependencies: number } {
  const bytes = (n: string) => folderBytes(join(project, 'node_modules', n))
  return {
    alone: bytes(name),
    withDependencies: [...withDependencies(project, name)].reduce((sum, n) => sum + bytes(n), 0),
  }
}
