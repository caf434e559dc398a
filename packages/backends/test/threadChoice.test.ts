import { describe, expect, it } from 'vitest'
import { ThreadChoice } from '../src/cpu/threadChoice.js'

/** Runs `n` runs through a chooser; `stalled(run)` is the ms a run with the helper stalls (of 10). */
function choices(n: number, stalled: (run: number) => number): boolean[] {
  const choice = new ThreadChoice()
  return Array.from({ length: n }, (_, run) => {
    const helper = choice.next()
    choice.record(helper, 10, helper ? stalled(run) : 0)
    return helper
  })
}

describe('ThreadChoice', () => {
  it('uses the helper while it keeps up, without trial runs on one thread', () => {
    expect(choices(200, () => 0.5).every((h) => h)).toBe(true)
  })

  it('does not judge the cold first run', () => {
    expect(choices(5, (run) => (run === 0 ? 9 : 0))).toEqual([true, true, true, true, true])
  })

  it('keeps the helper after a one-off stalled run (a collection, a compile)', () => {
    expect(choices(100, (run) => (run % 13 === 5 ? 6 : 0)).every((h) => h)).toBe(true)
  })

  it('falls back to one thread for 64 runs after two stalled runs, then tries the helper again', () => {
    // the helper has no core from run 10 to run 100
    const picks = choices(200, (run) => (run >= 10 && run < 100 ? 6 : 0))
    expect(picks.slice(0, 12).every((h) => h)).toBe(true)
    expect(picks.slice(12, 76).every((h) => !h)).toBe(true)
    expect(picks.slice(76, 78)).toEqual([true, true]) // tried again: still stalled, twice
    expect(picks.slice(78, 142).every((h) => !h)).toBe(true)
    expect(picks.slice(142).every((h) => h)).toBe(true) // the load is gone
  })
})
