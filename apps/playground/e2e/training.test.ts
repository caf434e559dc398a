import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPlayground, type Session, screenshotDir, setEditorText } from './harness.js'

let s: Session

beforeAll(async () => {
  s = await openPlayground()
})

afterAll(async () => {
  await s?.close()
})

const losses = (page: Page) =>
  page.evaluate(
    () => (globalThis as unknown as { cellgraphLossChart: { losses: number[] } }).cellgraphLossChart.losses,
  )
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
const finished = (page: Page) =>
  page.waitForFunction(
    () => document.querySelector('#loss-chart')?.getAttribute('data-state') === 'done',
    null,
    {
      timeout: 90_000,
    },
  )

async function train(page: Page, backend: string, steps: number) {
  await page.selectOption('#train-backend', backend)
  await page.fill('#train-hidden', '16')
  await page.fill('#train-steps', String(steps))
  await page.fill('#train-batch', '8')
  // Forget the last run's end, so waiting for 'done' waits for this run.
  await page.evaluate(() => document.querySelector<HTMLElement>('#loss-chart')!.removeAttribute('data-state'))
  await page.click('#train-start')
}

/**
 * How long a real click waits before its handler runs and the next frame is drawn, measured in the
 * page from the event's own time stamp.
 */
async function clickLatency(page: Page, selector: string): Promise<number> {
  const measured = page.evaluate(
    (sel) =>
      new Promise<number>((resolve) => {
        document
          .querySelector(sel)!
          .addEventListener(
            'click',
            (event) => requestAnimationFrame(() => resolve(performance.now() - event.timeStamp)),
            { once: true },
          )
      }),
    selector,
  )
  await page.click(selector)
  return measured
}

describe('training in the browser', () => {
  it('trains a variant of the LSTM on cpu in a worker: the loss falls and the page answers clicks', async () => {
    const { page } = s
    // A newcomer's variant: the LSTM with a coupled input gate, i = 1 - f.
    const text = await page.evaluate(() => document.querySelector('.cm-content')?.textContent ?? '')
    expect(text).toContain("defineCell('lstm'")
    await setEditorText(
      page,
      [
        "defineCell('my_lstm', { state: ['h', 'c'] }, ({ x, h, c }, { hidden }) => {",
        "  const hx = concat(h, x).as('hx')",
        "  const f = layer('f', hx, hidden, sigmoid)",
        "  const g = layer('g', hx, hidden, tanh)",
        "  const o = layer('o', hx, hidden, sigmoid)",
        '  const c2 = add(mul(f, c), mul(oneMinus(f), g))',
        '  const h2 = mul(o, tanh(c2))',
        '  return { state: { h: h2, c: c2 }, output: h2 }',
        '})',
      ].join('\n'),
    )
    await page.waitForFunction(
      () => document.querySelector('#diagram')?.getAttribute('data-cell') === 'my_lstm',
    )
    expect(await page.locator('#diagram g.node.layer').count()).toBe(3)
    await page.click('#tabs button[data-view="train"]')
    await page.fill('#train-length', '16')
    await train(page, 'cpu', 80)
    await page.waitForFunction(
      () => Number(document.querySelector('#train-step')?.textContent?.slice(5)) >= 5,
      null,
      {
        timeout: 60_000,
      },
    )
    const latency = await clickLatency(page, '#tabs button[data-view="train"]')
    expect(await page.getAttribute('#loss-chart', 'data-state')).toBe('running')
    expect(latency).toBeLessThan(200)
    await finished(page)
    expect(await page.textContent('#train-description')).toMatch(/^my_lstm \(hidden 16\)/)
    const curve = await losses(page)
    expect(curve).toHaveLength(80)
    expect(mean(curve.slice(-5))).toBeLessThan(mean(curve.slice(0, 5)) - 0.3)
    expect(await page.textContent('#train-speed')).toMatch(/steps\/s/)
    expect((await page.textContent('#train-sample'))?.length).toBeGreaterThan(100)
    await page.screenshot({ path: join(screenshotDir, 'train-cpu.png') })
    const speed = await page.textContent('#train-speed')
    console.log(
      `cpu: ${speed}; click answered in ${latency.toFixed(0)} ms during training; loss ${curve[0]!.toFixed(3)} -> ${curve.at(-1)!.toFixed(3)}`,
    )
  })

  it('trains on a dropped text file; stops and resumes', async () => {
    const { page } = s
    // A text file dropped on the text box fills it.
    await page.evaluate((text) => {
      const files = new DataTransfer()
      files.items.add(new File([text], 'cats.txt', { type: 'text/plain' }))
      document
        .querySelector('#train-text')!
        .dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true }))
    }, 'the cat sat on the mat; the dog sat on the log. '.repeat(40))
    await page.waitForFunction(() =>
      document.querySelector<HTMLTextAreaElement>('#train-text')!.value.startsWith('the cat'),
    )
    await train(page, 'cpu-js', 400)
    await page.waitForFunction(() =>
      document.querySelector('#train-description')?.textContent?.includes('your text'),
    )
    await page.waitForFunction(
      () => Number(document.querySelector('#train-step')?.textContent?.slice(5)) >= 3,
    )
    await page.click('#train-stop')
    await page.waitForFunction(
      () => document.querySelector('#loss-chart')?.getAttribute('data-state') === 'stopped',
    )
    const stoppedAt = (await losses(page)).length
    await page.click('#train-resume')
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as { cellgraphLossChart: { losses: number[] } }).cellgraphLossChart.losses
          .length >
        n + 3,
      stoppedAt,
    )
    await page.click('#train-stop')
    await page.waitForFunction(
      () => document.querySelector('#loss-chart')?.getAttribute('data-state') === 'stopped',
    )
  })

  it('saves the model in the browser and loads it after a reload', async () => {
    const { page } = s
    await page.click('#save-browser')
    await page.waitForFunction(() =>
      document.querySelector('#train-status')?.textContent?.startsWith('saved in this browser'),
    )
    const step = await page.textContent('#train-step')
    await page.reload()
    await page.waitForSelector('#cell-status.ok')
    await page.click('#tabs button[data-view="train"]')
    await page.click('#load-browser')
    await page.waitForFunction(() =>
      /loaded at step \d+/.test(document.querySelector('#train-status')?.textContent ?? ''),
    )
    expect(await page.textContent('#train-status')).toContain(`loaded at ${step}`)
    await page.click('#train-resume')
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { cellgraphLossChart: { losses: number[] } }).cellgraphLossChart.losses
          .length >= 2,
    )
    await page.click('#train-stop')
    await page.waitForFunction(
      () => document.querySelector('#loss-chart')?.getAttribute('data-state') === 'stopped',
    )
  })

  it('downloads the model and loads the downloaded file', async () => {
    const { page } = s
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#save-download')])
    expect(download.suggestedFilename()).toMatch(/\.safetensors$/)
    const path = join(screenshotDir, 'model.safetensors')
    await download.saveAs(path)
    await page.setInputFiles('#load-file', path)
    await page.waitForFunction(() =>
      /loaded at step \d+/.test(document.querySelector('#train-status')?.textContent ?? ''),
    )
  })

  it('trains the adding problem', async () => {
    const { page } = s
    await page.selectOption('#train-task', 'adding')
    await page.fill('#train-length', '6')
    await train(page, 'cpu-js', 60)
    await finished(page)
    expect(await page.textContent('#train-sample')).toMatch(
      /mean squared error on 256 held-out sequences: \d/,
    )
    await page.selectOption('#train-task', 'char-lm')
    await page.fill('#train-length', '16')
  })

  it('checks the cell gradients against finite differences', async () => {
    const { page } = s
    await page.click('#gradcheck')
    await page.waitForSelector('#gradcheck-result[data-worst]', { timeout: 60_000 })
    const worst = Number(await page.getAttribute('#gradcheck-result', 'data-worst'))
    expect(worst).toBeLessThan(1e-5)
    expect(await page.textContent('#gradcheck-result')).toMatch(/worst relative error/)
  })

  it('trains on WebGPU (SwiftShader): the loss falls', async () => {
    const { page } = s
    expect(await page.textContent('#backend-notes')).toBe('')
    await train(page, 'webgpu', 30)
    await finished(page)
    const curve = await losses(page)
    expect(curve).toHaveLength(30)
    expect(mean(curve.slice(-3))).toBeLessThan(mean(curve.slice(0, 3)))
    expect(await page.textContent('#train-description')).toMatch(/on webgpu \(.*swiftshader/i)
    await page.screenshot({ path: join(screenshotDir, 'train-webgpu.png') })
    expect(s.errors).toEqual([])
  })

  it('says so when the page cannot run cpu (no isolation) or WebGPU (no adapter), and uses cpu-js', async () => {
    const page = await s.browser.newPage()
    page.setDefaultTimeout(60_000)
    await page.addInitScript(() =>
      Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }),
    )
    // The same site without its COOP/COEP headers: not cross-origin isolated, no SharedArrayBuffer.
    await page.route('**/*', async (route) => {
      const response = await route.fetch()
      const headers = { ...response.headers() }
      delete headers['cross-origin-opener-policy']
      delete headers['cross-origin-embedder-policy']
      await route.fulfill({ response, headers })
    })
    await page.goto(s.page.url())
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false)
    await page.click('#tabs button[data-view="train"]')
    await page.waitForFunction(() => document.querySelector('#backend-notes')?.textContent !== '')
    const notes = await page.textContent('#backend-notes')
    expect(notes).toMatch(/cpu \(WebAssembly on two threads\) needs SharedArrayBuffer.*using cpu-js/)
    expect(notes).toMatch(/WebGPU is not available: this browser has no navigator\.gpu/)
    const disabled = (value: string) =>
      page.$eval(`#train-backend option[value="${value}"]`, (o) => (o as HTMLOptionElement).disabled)
    expect([await disabled('cpu'), await disabled('webgpu'), await disabled('cpu-js')]).toEqual([
      true,
      true,
      false,
    ])
    expect(await page.inputValue('#train-backend')).toBe('cpu-js')
    // Training still works, on cpu-js.
    await train(page, 'cpu-js', 5)
    await finished(page)
    await page.close()
  })
})
