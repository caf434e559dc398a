import { existsSync, mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { type PreviewServer, preview } from 'vite'

// The built app (dist/, which turbo builds before the tests) served by `vite preview` with its
// COOP/COEP headers, in Debian's headless Chromium with a fresh profile. A missing browser fails.
const appRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const screenshotDir = join(appRoot, 'e2e-output')
const chromiumPath = process.env.CELLGRAPH_CHROMIUM ?? '/usr/bin/chromium'
const flags = [
  '--headless',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

export interface Session {
  readonly browser: Browser
  readonly server: PreviewServer
  readonly page: Page
  readonly errors: string[]
  close(): Promise<void>
}

export async function openPlayground(): Promise<Session> {
  if (!existsSync(join(appRoot, 'dist/index.html')))
    throw new Error('apps/playground/dist is missing: run `pnpm --filter @cellgraph/playground build` first')
  if (!existsSync(chromiumPath))
    throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (scripts/setup.sh does)`)
  mkdirSync(screenshotDir, { recursive: true })
  const server = await preview({ root: appRoot, logLevel: 'error', preview: { port: 0, host: '127.0.0.1' } })
  const origin = server.resolvedUrls?.local[0]
  if (!origin) throw new Error('vite preview did not report its address')
  // launch() gives every run a fresh temporary --user-data-dir.
  const browser = await chromium.launch({ executablePath: chromiumPath, args: flags })
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  // Waits are for events that come in a second or two; the margin is for a loaded CI machine.
  page.setDefaultTimeout(60_000)
  const errors: string[] = []
  page.on('pageerror', (e) => errors.push(e.message))
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  await page.goto(origin)
  await page.waitForSelector('#cell-status.ok')
  return {
    browser,
    server,
    page,
    errors,
    async close() {
      await browser.close()
      await server.close()
    },
  }
}

/** Replaces the editor's whole text, as typing would. */
export async function setEditorText(page: Page, text: string): Promise<void> {
  await page.click('#editor .cm-content')
  await page.keyboard.press('Control+A')
  await page.keyboard.insertText(text)
}
