import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

export const workspaceRoot = new URL('../../../', import.meta.url).pathname

export interface PublishedPackage {
  readonly name: string
  /** The package's folder in the workspace. */
  readonly dir: string
  readonly manifest: Record<string, unknown>
}

/** Every package of the workspace that is not private, in dependency order (dependencies first). */
export function publishablePackages(): PublishedPackage[] {
  const found: PublishedPackage[] = []
  for (const group of ['packages', 'apps'])
    for (const entry of readdirSync(join(workspaceRoot, group))) {
      const dir = join(workspaceRoot, group, entry)
      let manifest: Record<string, unknown>
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      } catch {
        continue
      }
      if (manifest.private !== true) found.push({ name: manifest.name as string, dir, manifest })
    }
  const ordered: PublishedPackage[] = []
  const visit = (p: PublishedPackage) => {
    if (ordered.includes(p)) return
    for (const dep of Object.keys((p.manifest.dependencies as object | undefined) ?? {})) {
      const q = found.find((f) => f.name === dep)
      if (q) visit(q)
    }
    ordered.push(p)
  }
  found.forEach(visit)
  return ordered
}
