import { cpSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'vite'

const pageSource = new URL('../page/', import.meta.url).pathname

/** Imports of `node:` modules in JavaScript: static, dynamic, and re-exports. */
export const nodeImport = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']node:[\w/]+["']/

/**
 * Builds the test page (page/) with Vite inside the consumer project, so its imports resolve to
 * the installed tarballs. Returns the output folder and each JavaScript chunk's text.
 */
export async function bundlePage(
  project: string,
): Promise<{ outDir: string; chunks: Record<string, string>; warnings: string[] }> {
  const root = join(project, 'page')
  cpSync(pageSource, root, { recursive: true })
  const outDir = join(root, 'dist')
  const warnings: string[] = []
  await build({
    root,
    logLevel: 'silent',
    configFile: false,
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      rollupOptions: { onwarn: (w) => void warnings.push(w.message) },
    },
    customLogger: {
      info: () => {},
      warn: (m) => void warnings.push(m),
      warnOnce: (m) => void warnings.push(m),
      error: (m) => void warnings.push(m),
      clearScreen: () => {},
      hasErrorLogged: () => false,
      hasWarned: false,
    },
  })
  const chunks: Record<string, string> = {}
  const assets = join(outDir, 'assets')
  for (const f of readdirSync(assets).filter((f) => f.endsWith('.js')))
    chunks[f] = readFileSync(join(assets, f), 'utf8')
  return { outDir, chunks, warnings }
}
