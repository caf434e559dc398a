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
  it('tries both ways after a cold first run, then keeps the faster', () => {
    expect(choices(7, (helper) => (helper ? 5 : 9))).toEqual([true, true, false, true, true, true, true])
    expect(choices(7, (helper) => (helper ? 9 : 5))).toEqual([true, true, false, false, false, false, false])
  })

  it('does not compare the cold first run', () => {
    // the first run (with the helper) pays one-time costs; the helper is faster afterwards
    const picks = choices(6, (helper, run) => (run === 0 ? 100 : helper ? 5 : 9))
    expect(picks.slice(3)).toEqual([true, true, true])
  })

  it('times both ways again every 64 runs and follows a change of load', () => {
    // the helper is faster until run 100, slower after
    const picks = choices(200, (helper, run) => (helper === run < 100 ? 5 : 9))
    expect(picks.slice(3, 65).every((p) => p)).toBe(true)
    expect(picks.slice(65, 67)).toEqual([true, false])
    expect(picks.slice(131, 193).every((p) => !p)).toBe(true)
  })
})
