import { describe, expect, it } from 'vitest'
import { ThreadChoice } from '../src/cpu/threadChoice.js'

/** Runs `n` runs through a chooser with the given times (ms) with and without the helper. */
function choices(n: number, ms: (helper: boolean, run: number) => number): boolean[] {
  const choice = new ThreadChoice()
  return Array.from({ length: n }, (_, run) => {
    const helper = choice.next()
    choice.record(helper, ms(helper, run))
    return helper
  })
}

describe('ThreadChoice', () => {
  it('tries both ways first, then keeps the faster', () => {
    expect(choices(6, (helper) => (helper ? 5 : 9))).toEqual([true, false, true, true, true, true])
    expect(choices(6, (helper) => (helper ? 9 : 5))).toEqual([true, false, false, false, false, false])
  })

  it('times both ways again every 64 runs and follows a change of load', () => {
    // the helper is faster until run 100, slower after
    const picks = choices(200, (helper, run) => (helper === run < 100 ? 5 : 9))
    expect(picks.slice(2, 64).every((p) => p)).toBe(true)
    expect(picks.slice(64, 66)).toEqual([true, false])
    expect(picks.slice(130, 192).every((p) => !p)).toBe(true)
  })
})
