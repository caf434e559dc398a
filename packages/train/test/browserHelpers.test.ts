import { describe, expect, it } from 'vitest'
import { downloadBytes, loadFromIndexedDB, saveToIndexedDB } from '../src/index.js'

// The real round trip through IndexedDB runs in headless Chromium (tools/pack-check).
describe('browser helpers outside a browser', () => {
  it('say what is missing', async () => {
    await expect(saveToIndexedDB('m', new Uint8Array(4))).rejects.toThrow('IndexedDB is not available here')
    await expect(loadFromIndexedDB('m')).rejects.toThrow('IndexedDB is not available here')
    expect(() => downloadBytes(new Uint8Array(4), 'm.safetensors')).toThrow(
      'downloadBytes needs a browser page',
    )
  })

  it('downloadBytes clicks a link to a blob of the bytes, named as asked', async () => {
    const anchor = {
      href: '',
      download: '',
      clicks: 0,
      click() {
        this.clicks++
      },
    }
    const g = globalThis as { document?: unknown }
    g.document = { createElement: () => anchor }
    try {
      downloadBytes(Uint8Array.of(1, 2, 3), 'model.safetensors')
    } finally {
      delete g.document
    }
    expect(anchor).toMatchObject({ download: 'model.safetensors', clicks: 1 })
    expect(anchor.href).toMatch(/^blob:/)
  })
})
