import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPlayground, type Session, screenshotDir, setEditorText } from './harness.js'

let s: Session

beforeAll(async () => {
  s = await openPlayground()
})

afterAll(async () => {
  await s?.close()
})

const layerBoxes = (page: Session['page']) => page.locator('#diagram g.node.layer').count()

describe('the playground in headless Chromium', () => {
  it('draws the cell and redraws it as it is edited; a click shows a node', async () => {
    const { page } = s
    await expect(page.textContent('#cell-status')).resolves.toMatch(/^lstm: \d+ nodes/)
    expect(await page.getAttribute('#diagram', 'data-cell')).toBe('lstm')
    expect(await layerBoxes(page)).toBe(4)
    await page.screenshot({ path: join(screenshotDir, 'cell.png') })
    // A variant of the LSTM without the output gate: h' = tanh(c').
    const text = await page.evaluate(() => document.querySelector('.cm-content')?.textContent ?? '')
    expect(text).toContain("const o = layer('o'")
    await setEditorText(
      page,
      [
        "defineCell('lstm_no_o', { state: ['h', 'c'] }, ({ x, h, c }, { hidden }) => {",
        "  const hx = concat(h, x).as('hx')",
        "  const i = layer('i', hx, hidden, sigmoid)",
        "  const f = layer('f', hx, hidden, sigmoid)",
        "  const g = layer('g', hx, hidden, tanh)",
        '  const c2 = add(mul(f, c), mul(i, g))',
        '  const h2 = tanh(c2)',
        '  return { state: { h: h2, c: c2 }, output: h2 }',
        '})',
      ].join('\n'),
    )
    await page.waitForFunction(
      () => document.querySelector('#diagram')?.getAttribute('data-cell') === 'lstm_no_o',
    )
    expect(await layerBoxes(page)).toBe(3)
    await page.click('#diagram g[data-node="c_next"]')
    expect(await page.textContent('#node-details')).toContain('%c_next = add %mul1, %mul2 : [B,4]')
  })

  it('validates the cell as it is edited, placing an error on its line', async () => {
    const { page } = s
    await page.selectOption('#starting-point', 'rnn')
    await page.waitForFunction(() => document.querySelector('#cell-status')?.textContent?.startsWith('rnn:'))
    // Line 3 adds the [B,4] state to the [B,3] input: a shape error on that line.
    const code = (await page.evaluate(() => document.querySelector('.cm-content')?.textContent)) ?? ''
    expect(code).toContain('defineCell')
    await setEditorText(
      page,
      [
        "defineCell('bad_rnn', { state: ['h'] }, ({ x, h }, { hidden }) => {",
        '  const hx = concat(h, x)',
        '  const wrong = add(h, x)',
        '  const h2 = layer("rnn", hx, hidden, tanh)',
        '  return { state: { h: h2 }, output: h2 }',
        '})',
      ].join('\n'),
    )
    await page.waitForSelector('#cell-status.error')
    expect(await page.textContent('#cell-status')).toMatch(/^line 3: .*do not broadcast/)
    // The diagnostic underlines the call on line 3 of the editor.
    const marked = await page.evaluate(() => {
      const range = document.querySelector('.cm-lintRange-error')
      const line = range?.closest('.cm-line')
      const lines = [...document.querySelectorAll('.cm-content .cm-line')]
      return { text: range?.textContent, line: line ? lines.indexOf(line) + 1 : 0 }
    })
    expect(marked).toEqual({ text: 'add(h, x)', line: 3 })
    await page.screenshot({ path: join(screenshotDir, 'cell-error.png') })
    expect(s.errors).toEqual([])
  })

  it('shows a JSON field error on that field', async () => {
    const { page } = s
    await page.selectOption('#form', 'json')
    await page.selectOption('#starting-point', 'gru')
    await page.waitForFunction(() => document.querySelector('#cell-status')?.textContent?.startsWith('gru:'))
    const json = await page.evaluate(
      () =>
        (globalThis as unknown as { cellgraphPlayground: { store: { state: { text: string } } } })
          .cellgraphPlayground.store.state.text,
    )
    await setEditorText(page, json.replace('"activation": "sigmoid"', '"activation": "sigmoidd"'))
    await page.waitForSelector('#cell-status.error')
    expect(await page.textContent('#cell-status')).toMatch(/attrs\.activation: must be one of/)
    expect(await page.textContent('.cm-lintRange-error')).toBe('"sigmoidd"')
  })

  it('stops code that never ends, and keeps working', async () => {
    const { page } = s
    await page.selectOption('#form', 'dsl')
    await page.selectOption('#starting-point', 'rnn')
    await page.waitForFunction(() => document.querySelector('#cell-status')?.textContent?.startsWith('rnn:'))
    const rnn = await page.evaluate(() => document.querySelector('.cm-content')?.textContent ?? '')
    expect(rnn).toContain('defineCell')
    await setEditorText(
      page,
      "while (true) {}\ndefineCell('x', { state: ['h'] }, ({ h }) => ({ state: { h }, output: h }))",
    )
    await page.waitForSelector('#cell-status.error')
    expect(await page.textContent('#cell-status')).toMatch(/did not finish within 2 s \(an endless loop\?\)/)
    // The page answered all along, and the next edit parses in a fresh worker.
    await page.selectOption('#starting-point', 'gru')
    await page.waitForFunction(() => document.querySelector('#cell-status')?.textContent?.startsWith('gru:'))
  })

  it('shows what the compiler did: graphs, passes, plan and kernels per backend', async () => {
    const { page } = s
    await page.selectOption('#form', 'dsl')
    await page.selectOption('#starting-point', 'gru')
    await page.waitForFunction(() => document.querySelector('#cell-status')?.textContent?.startsWith('gru:'))
    await page.click('#tabs button[data-view="compiler"]')
    await page.waitForFunction(
      () => document.querySelector('#compiler-status')?.textContent === 'gru on cpu-js',
    )
    expect(await page.textContent('#compiler-output pre')).toMatch(/ = scan\{/)
    await page.selectOption('#compiler-show', 'backward')
    expect(await page.textContent('#compiler-output pre')).toMatch(/grad\.l0\.z\.W/)
    await page.selectOption('#compiler-show', 'passes')
    expect(await page.locator('#compiler-output pre').count()).toBe(2)
    expect(await page.textContent('#compiler-output h3')).toMatch(/^before /)
    // What the pass changed is marked on both sides.
    expect(await page.locator('#compiler-output pre span.added').count()).toBeGreaterThan(0)
    await page.screenshot({ path: join(screenshotDir, 'compiler-passes.png') })
    await page.selectOption('#compiler-show', 'plan')
    expect(await page.textContent('#compiler-output pre')).toMatch(/loop %/)
    await page.selectOption('#compiler-show', 'kernels')
    expect(await page.textContent('#compiler-output h3')).toMatch(/^cpu-js: cpu code \(batch 2, steps 3\)/)
    await page.screenshot({ path: join(screenshotDir, 'compiler-cpu-js.png') })
    await page.selectOption('#compiler-backend', 'webgpu')
    await page.waitForFunction(
      () => document.querySelector('#compiler-status')?.textContent === 'gru on webgpu',
      null,
      {
        timeout: 60_000,
      },
    )
    expect(await page.textContent('#compiler-output h3')).toMatch(/^webgpu: webgpu kernels/)
    expect(await page.textContent('#compiler-output pre')).toMatch(/@compute/)
    await page.screenshot({ path: join(screenshotDir, 'compiler-webgpu.png') })
    expect(s.errors).toEqual([])
  })
})
