import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundlePage, nodeImport } from '../src/bundle.js'
import { typecheckConsumers } from '../src/consumers.js'
import { type Example, readmeExamples } from '../src/examples.js'
import { installTarballs } from '../src/install.js'
import { leftovers, pack, type Tarball } from '../src/pack.js'
import { run } from '../src/run.js'
import { serveFolder } from '../src/serve.js'
import { installedSize } from '../src/sizes.js'
import { type PublishedPackage, publishablePackages } from '../src/workspace.js'

// The packages as a user gets them: packed, installed by npm into a project outside the workspace,
// and used there. Needs the packages built (turbo builds them first) and Debian's chromium.
const chromiumPath = process.env.CELLGRAPH_CHROMIUM ?? '/usr/bin/chromium'
const packages: PublishedPackage[] = publishablePackages()
let tarballs: Tarball[]
let project: string
const scratch = mkdtempSync(join(tmpdir(), 'cellgraph-tarballs-'))

beforeAll(() => {
  tarballs = packages.map((p) => pack(p, scratch))
  project = installTarballs(tarballs)
})

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true })
  if (project && !process.env.CELLGRAPH_KEEP_PACK_CHECK) rmSync(project, { recursive: true, force: true })
})

describe('the tarballs', () => {
  it('are every publishable package, each with its metadata and without build leftovers', () => {
    expect(packages.map((p) => p.name)).toEqual(
      expect.arrayContaining([
        '@cellgraph/graph',
        '@cellgraph/autodiff',
        '@cellgraph/wasm',
        '@cellgraph/backends',
        '@cellgraph/train',
        '@cellgraph/cli',
      ]),
    )
    for (const p of packages) {
      const t = tarballs.find((t) => t.name === p.name)!
      const { bad, stale } = leftovers(p, t)
      expect(bad, p.name).toEqual([])
      // A fresh checkout (CI) has no stale output; a working copy may, which is not the package's fault.
      if (process.env.CI) expect(stale, p.name).toEqual([])
      else if (stale.length > 0) console.warn(`${p.name}: stale build output packed:\n${stale.join('\n')}`)
      for (const field of ['license', 'repository', 'homepage', 'bugs', 'keywords', 'engines'])
        expect(p.manifest[field], `${p.name}: ${field}`).toBeDefined()
    }
  })

  it('install without webgpu (Dawn), and their sizes are small', () => {
    expect(existsSync(join(project, 'node_modules', 'webgpu'))).toBe(false)
    const lines: string[] = []
    for (const p of packages) {
      const size = installedSize(project, p.name)
      lines.push(
        `${p.name.padEnd(22)} ${(size.alone / 1024).toFixed(0).padStart(6)} KiB alone, ${(size.withDependencies / 1024).toFixed(0).padStart(6)} KiB with dependencies`,
      )
    }
    console.log(`installed sizes:\n${lines.join('\n')}`)
    expect(installedSize(project, '@cellgraph/backends').withDependencies).toBeLessThan(5 * 1024 * 1024)
  })

  it('say how to add webgpu when it is missing', () => {
    const script = `import { webgpuBackend } from '@cellgraph/backends'
try { await webgpuBackend(); console.log('opened') } catch (e) { console.log(e.message) }`
    const out = run(process.execPath, ['--input-type=module', '-e', script], project)
    expect(out).toContain('npm install webgpu')
  })
})

describe('in the consumer project', () => {
  it("runs every package README's examples", () => {
    const examples: Example[] = packages.flatMap((p) => readmeExamples(p, project))
    const ran: string[] = []
    for (const e of examples.filter((e) => e.file)) {
      run(process.execPath, [e.file!], project)
      ran.push(e.name)
    }
    console.log(`README examples run: ${ran.join(', ')}`)
    const notRun = examples.filter((e) => e.notRun).map((e) => `${e.name}: ${e.notRun}`)
    if (notRun.length > 0) console.log(`not run here:\n${notRun.join('\n')}`)
    for (const pkg of [
      '@cellgraph/graph',
      '@cellgraph/autodiff',
      '@cellgraph/wasm',
      '@cellgraph/backends',
      '@cellgraph/train',
    ])
      expect(
        ran.some((n) => n.startsWith(`${pkg}/`)),
        pkg,
      ).toBe(true)
    expect(ran).toContain('@cellgraph/train/examples/customCell.ts')
  })

  it('runs the command-line program', () => {
    expect(run(join(project, 'node_modules', '.bin', 'cellgraph'), ['--help'], project)).toMatch(/cellgraph/)
  })

  it('type-checks a Node.js and a browser consumer without skipLibCheck', () => {
    const out = typecheckConsumers(project)
    expect(out.node).toBe('')
    expect(out.dom).toBe('')
  })
})

describe('in a browser', () => {
  let outDir: string
  let browser: Browser | undefined
  let server: Server | undefined

  afterAll(async () => {
    await browser?.close()
    server?.close()
  })

  it('bundles with Vite with no node: import', async () => {
    const bundle = await bundlePage(project)
    outDir = bundle.outDir
    const offending = Object.entries(bundle.chunks).filter(([, code]) => nodeImport.test(code))
    expect(offending.map(([f, code]) => `${f}: ${code.match(nodeImport)![0]}`)).toEqual([])
    expect(bundle.warnings.filter((w) => /node:|externalized/i.test(w))).toEqual([])
  })

  it('trains a custom cell with fit in headless Chromium, saves it to IndexedDB and loads it back', async () => {
    if (!existsSync(chromiumPath))
      throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (scripts/setup.sh does)`)
    ;({ server } = await serveFolder(outDir).then((s) => ({ server: s.server, origin: s.origin })))
    const origin = `http://127.0.0.1:${(server!.address() as { port: number }).port}`
    const profile = mkdtempSync(join(tmpdir(), 'cellgraph-chromium-'))
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: [
        '--headless',
        '--disable-background-networking',
        '--disable-component-update',
        '--no-first-run',
        ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      ],
    })
    browser = context.browser() ?? undefined
    try {
      const errors: string[] = []
      const resultOf = async (url: string) => {
        const page = await context.newPage()
        page.on('pageerror', (e) => errors.push(e.message))
        await page.goto(url)
        await page.waitForFunction(() => 'packCheckResult' in globalThis, null, {
          timeout: 240_000,
          polling: 250,
        })
        const result = (await page.evaluate(
          () => (globalThis as { packCheckResult?: unknown }).packCheckResult,
        )) as {
          error?: string
          accuracy?: number
          predictions?: number[][]
          bytes?: number
        }
        await page.close()
        return result
      }
      const trained = await resultOf(`${origin}/`)
      expect(trained.error, errors.join('\n')).toBeUndefined()
      console.log(`in Chromium: validation accuracy ${trained.accuracy}, model ${trained.bytes} bytes`)
      expect(trained.accuracy).toBeGreaterThan(0.8)
      const reloaded = await resultOf(`${origin}/?reload`)
      expect(reloaded.error, errors.join('\n')).toBeUndefined()
      expect(reloaded.bytes).toBe(trained.bytes)
      reloaded.predictions!.forEach((p, k) =>
        p.forEach((v, i) => expect(v).toBeCloseTo(trained.predictions![k]![i]!, 5)),
      )
    } finally {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  })
})
