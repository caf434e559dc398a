import { builtinCells, cellToJson, graphToJson } from '@cellgraph/graph'
import { describe, expect, it } from 'vitest'
import { parseCell } from '../src/cell/parse.js'
import { dslTemplates } from '../src/cell/templates.js'

const sizes = { input: 3, hidden: 4 }

describe('the editor reads a cell', () => {
  it('has a DSL starting point for every built-in cell, tracing to the same graph', () => {
    expect(Object.keys(dslTemplates).sort()).toEqual(Object.keys(builtinCells).sort())
    for (const [name, code] of Object.entries(dslTemplates)) {
      const parsed = parseCell(code, 'dsl', sizes)
      if (!parsed.ok) throw new Error(`${name}: ${parsed.error.message}`)
      expect(graphToJson(parsed.cell.graph), name).toEqual(graphToJson(builtinCells[name]!(sizes).graph))
    }
  })

  it('reads the JSON form of every built-in cell', () => {
    for (const [name, definition] of Object.entries(builtinCells)) {
      const parsed = parseCell(cellToJson(definition(sizes)), 'json', sizes)
      expect(parsed.ok && parsed.cell.name, name).toBe(name)
    }
  })

  it('places a shape error on the line that made it', () => {
    // Line 3 adds a [B,4] state to the [B,3] input.
    const code = dslTemplates.rnn!.replace(
      '  const h2 = layer',
      '  const bad = add(h, x)\n  const h2 = layer',
    )
    const parsed = parseCell(code, 'dsl', sizes)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error.line).toBe(3)
    expect(parsed.error.message).toMatch(/do not broadcast/)
    expect(code.slice(parsed.error.from, parsed.error.to)).toBe('add(h, x)')
  })

  it('places a syntax error on its line', () => {
    const code = dslTemplates.lstm!.replace('const f = layer(', 'const f = = layer(')
    const parsed = parseCell(code, 'dsl', sizes)
    expect(!parsed.ok && parsed.error.line).toBe(5)
  })

  it('says when the code defines no cell', () => {
    const parsed = parseCell('const a = 1\n', 'dsl', sizes)
    expect(!parsed.ok && parsed.error.message).toMatch(/must call defineCell/)
  })

  it('places a JSON field error on that field', () => {
    const text = cellToJson(builtinCells.rnn!(sizes)).replace('"activation": "tanh"', '"activation": "tanhh"')
    const parsed = parseCell(text, 'json', sizes)
    expect(parsed.ok).toBe(false)
    if (parsed.ok) return
    expect(parsed.error.message).toMatch(/attrs\.activation: must be one of/)
    expect(text.slice(parsed.error.from, parsed.error.to)).toBe('"tanhh"')
    expect(text.split('\n')[parsed.error.line - 1]).toContain('"tanhh"')
  })

  it('places a JSON syntax error at its position', () => {
    const text = cellToJson(builtinCells.rnn!(sizes))
    const broken = text.replace('"name": "rnn"', '"name": "rnn",,')
    const parsed = parseCell(broken, 'json', sizes)
    expect(!parsed.ok && broken.split('\n')[parsed.error.line - 1]).toContain('"rnn",,')
  })
})
