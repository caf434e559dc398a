import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join, relative } from 'node:path'
import { run } from './run.js'
import { type PublishedPackage, workspaceRoot } from './workspace.js'

export interface Tarball {
  readonly name: string
  readonly path: string
  /** Paths inside the tarball, without the leading `package/`. */
  readonly files: readonly string[]
}

/** `pnpm pack` of a package (workspace: ranges become versions) into `into`. */
export function pack(p: PublishedPackage, into: string): Tarball {
  mkdirSync(into, { recursive: true })
  const before = new Set(readdirSync(into))
  run('pnpm', ['pack', '--pack-destination', into], p.dir)
  const made = readdirSync(into).filter((f) => !before.has(f) && f.endsWith('.tgz'))
  if (made.length !== 1) throw new Error(`pnpm pack of ${p.name} made ${made.length} tarballs`)
  const path = join(into, made[0]!)
  const files = run('tar', ['tzf', path], into)
    .split('\n')
    .filter((f) => f.length > 0 && !f.endsWith('/'))
    .map((f) => f.replace(/^package\//, ''))
  return { name: p.name, path, files }
}

/**
 * What should not be in a tarball: build leftovers (source maps pointing at unshipped sources,
 * .tsbuildinfo), and compiled files whose source is gone (`stale`: a dist/ built before a file
 * moved; CI builds from scratch, a working copy may keep them).
 */
export function leftovers(p: PublishedPackage, t: Tarball): { bad: string[]; stale: string[] } {
  const bad = t.files.filter((f) => f.endsWith('.map') || f.endsWith('.tsbuildinfo'))
  const stale: string[] = []
  for (const f of t.files) {
    const m = /^dist\/(.+)\.(js|d\.ts)$/.exec(f)
    if (m && !existsSync(join(p.dir, 'src', `${m[1]}.ts`)))
      stale.push(
        `${f} (no ${relative(p.dir, join(p.dir, 'src', `${m[1]}.ts`))}: remove ${relative(workspaceRoot, join(p.dir, 'dist'))} and build again)`,
      )
  }
  for (const need of ['LICENSE', 'README.md', 'package.json'])
    if (!t.files.includes(need)) bad.push(`${need} is missing`)
  return { bad, stale }
}
