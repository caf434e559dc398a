import { describe, expect, it } from 'vitest'
import { selectEngines } from '../src/engines/index.js'

describe('selectEngines', () => {
  it('runs every engine but the opt-in JS-products backend by default', () => {
    const names = selectEngines([]).map((e) => e.name)
    expect(names[0]).toBe('cellgraph cpu-wasm')
    expect(names).not.toContain('cellgraph cpu (JS products)')
    expect(names).toContain('pytorch')
  })

  it('picks engines by words in their keys, and names the keys when none matches', () => {
    expect(selectEngines(['tfjs-wasm']).map((e) => e.name)).toEqual([
      'tfjs-wasm layers.lstm',
      'tfjs-wasm hand-written cell',
    ])
    expect(selectEngines(['cellgraph-cpu-js']).map((e) => e.name)).toEqual(['cellgraph cpu (JS products)'])
    expect(() => selectEngines(['mxnet'])).toThrow(
      /no engine matches mxnet; the engines are cellgraph-cpu-wasm/,
    )
  })
})
