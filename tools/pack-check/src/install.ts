import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Tarball } from './pack.js'
import { run } from './run.js'

/**
 * A fresh project in the system's temp folder (outside the workspace, so nothing resolves through
 * it) with every tarball installed by npm, as a user would. The packages' own dependencies are
 * each other; anything else comes from the npm registry or npm's cache.
 */
export function installTarballs(tarballs: readonly Tarball[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cellgraph-pack-check-'))
  mkdirSync(join(dir, 'src'))
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'cellgraph-consumer', private: true, type: 'module' }, null, 2)}\n`,
  )
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs.map((t) => t.path)], dir)
  return dir
}
