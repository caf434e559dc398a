import { existsSync } from 'node:fs'
import type { Server } from 'node:http'
import { type Browser, chromium } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveConformancePage } from './browserServer.js'

// The browser path: the built package in headless Chromium on navigator.gpu (SwiftShader without a
// GPU), running the conformance cases. Needs `dist/` (turbo builds it before tests) and Debian's
// chromium package; a missing browser or adapter fails, never skips.
const chromiumPath = process.env.CELLGRAPH_CHROMIUM ?? '/usr/bin/chromium'
const flags = [
  '--headless',
  '--enable-unsafe-webgpu',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
]

interface PageResult {
  readonly error?: string
  readonly adapter?: string
  readonly inBrowser?: boolean
  readonly cases?: number
  readonly failures?: string[]
}

let browser: Browser
let server: Server
let origin: string

beforeAll(async () => {
  if (!existsSync(chromiumPath))
    throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (scripts/setup.sh does)`)
  ;({ server, origin } = await serveConformancePage())
  // launch() gives every run a fresh temporary profile.
  browser = await chromium.launch({ executablePath: chromiumPath, args: flags })
}, 60_000)

afterAll(async () => {
  await browser?.close()
  server?.close()
})

describe('webgpu in headless Chromium', () => {
  it('passes the conformance cases on navigator.gpu', async () => {
    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (e) => errors.push(e.message))
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
    await page.goto(origin)
    await page.waitForFunction(() => 'cellgraphResult' in globalThis, null, {
      timeout: 280_000,
      polling: 500,
    })
    const result = (await page.evaluate(
      () => (globalThis as { cellgraphResult?: unknown }).cellgraphResult,
    )) as PageResult
    expect(result.error, errors.join('\n')).toBeUndefined()
    console.log(`headless Chromium adapter: ${result.adapter}; ${result.cases} cases`)
    expect(result.inBrowser).toBe(true)
    if (process.env.CELLGRAPH_WEBGPU_NATIVE !== '1') expect(result.adapter).toMatch(/swiftshader/i)
    expect(result.failures).toEqual([])
    expect(result.cases).toBeGreaterThanOrEqual(30)
  }, 300_000)
})
