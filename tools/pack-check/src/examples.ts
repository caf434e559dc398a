import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { basename, join } from 'node:path'
import ts from 'typescript'
import type { PublishedPackage } from './workspace.js'

export interface Example {
  readonly pkg: string
  readonly name: string
  /** The transpiled example, placed in the consumer project; absent when it cannot run there. */
  readonly file?: string
  /** Why it does not run in the consumer project (a module that is not installed there). */
  readonly notRun?: string
}

/**
 * The examples a package's README shows (files of `examples/` that appear in it verbatim),
 * transpiled to JavaScript inside the consumer project, where their imports resolve to the
 * installed tarballs. Test fixtures they read by relative URL are copied beside them.
 */
export function readmeExamples(p: PublishedPackage, project: string): Example[] {
  const readme = readFileSync(join(p.dir, 'README.md'), 'utf8')
  const dir = join(p.dir, 'examples')
  if (!existsSync(dir)) return []
  const place = join(project, 'examples', basename(p.dir))
  const out: Example[] = []
  for (const f of readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    const source = readFileSync(join(dir, f), 'utf8')
    if (!readme.includes(source.trim())) continue
    const name = `${p.name}/examples/${f}`
    const missing = importsOf(source).find((m) => !canResolve(project, m))
    if (missing) {
      out.push({ pkg: p.name, name, notRun: `imports '${missing}', which is not one of the packages` })
      continue
    }
    const js = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    }).outputText
    const file = join(place, 'examples', f.replace(/\.ts$/, '.mjs'))
    mkdirSync(join(place, 'examples'), { recursive: true })
    writeFileSync(file, js)
    if (source.includes('../test/fixtures'))
      cpSync(join(p.dir, 'test', 'fixtures'), join(place, 'test', 'fixtures'), { recursive: true })
    out.push({ pkg: p.name, name, file })
  }
  return out
}

const importsOf = (source: string): string[] =>
  [...source.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)].map((m) => m[1]!)

/** Whether a module is a Node.js builtin or a package installed in the project. */
function canResolve(project: string, specifier: string): boolean {
  if (specifier.startsWith('node:') || builtinModules.includes(specifier)) return true
  const [scopeOrName, name] = specifier.split('/')
  const pkg = scopeOrName!.startsWith('@') ? `${scopeOrName}/${name}` : scopeOrName!
  return existsSync(join(project, 'node_modules', pkg, 'package.json'))
}
