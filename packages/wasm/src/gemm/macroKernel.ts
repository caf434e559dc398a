import type { FunctionBuilder, Local } from '../emit/functionBuilder.js'
import type { ModuleBuilder } from '../emit/moduleBuilder.js'
import type { Tiling } from './tiling.js'

/**
 * Emits gemmPacked(M, N, K, a, rsA, csA, bp, c, ldc, alpha, accumulate, p0, p1, tileStep):
 *   C[:, p0*nr .. min(p1*nr, N)) (+)= alpha * A * B
 * over B packed by packB (all K rows of every panel). The tile of rows i.. starts at
 * a + i*tileStep and reads A(i + r, k) at r*rsA + k*csA from there: tileStep = rsA for a plain
 * A[i*rsA + k*csA], tileStep = K (rsA = 1, csA = mr) for A packed by packA. C row stride ldc
 * (strides in floats, pointers in bytes). Loop nest, outermost first: NC-column slices of B,
 * KC-deep blocks, MC-row blocks of A, panels, MR-row tiles; `microKernels[r-1]` handles r rows.
 */
export const emitGemmPacked = (
  mod: ModuleBuilder,
  tiling: Tiling,
  microKernels: FunctionBuilder[],
): FunctionBuilder => {
  const fn = mod.function('gemmPacked', [
    ['M', 'i32'],
    ['N', 'i32'],
    ['K', 'i32'],
    ['a', 'i32'],
    ['rsA', 'i32'],
    ['csA', 'i32'],
    ['bp', 'i32'],
    ['c', 'i32'],
    ['ldc', 'i32'],
    ['alpha', 'f32'],
    ['accumulate', 'i32'],
    ['p0', 'i32'],
    ['p1', 'i32'],
    ['tileStep', 'i32'],
  ])
  const tileStep = fn.param('tileStep')
  const [M, N, K, a, rsA, csA, bp, c, ldc, alpha, accumulate, p0, p1] = fn.paramList(
    'M',
    'N',
    'K',
    'a',
    'rsA',
    'csA',
    'bp',
    'c',
    'ldc',
    'alpha',
    'accumulate',
    'p0',
    'p1',
  )
  const { mr, nr, kc: KC, mc: MC, nc: NC } = tiling
  const local = (name: string): Local => fn.local('i32', name)
  const jc = local('jc')
  const jcEnd = local('jcEnd')
  const pc = local('pc')
  const kc = local('kc')
  const accFlag = local('accFlag')
  const ic = local('ic')
  const icEnd = local('icEnd')
  const panel = local('panel')
  const nValid = local('nValid')
  const bPanel = local('bPanel')
  const i = local('i')
  const rest = local('rest')
  const rsA4 = local('rsA4')
  const csA4 = local('csA4')
  const ldc4 = local('ldc4')
  /** min(x, y) of two i32 emitted by the callbacks (each evaluated twice: keep them pure). */
  const min = (x: () => void, y: () => void) => {
    x()
    y()
    x()
    y()
    fn.op('i32LtS').op('select')
  }
  const tileStep4 = local('tileStep4')
  fn.get(tileStep).i32(4).op('i32Mul').set(tileStep4)
  fn.get(rsA!).i32(4).op('i32Mul').set(rsA4)
  fn.get(csA!).i32(4).op('i32Mul').set(csA4)
  fn.get(ldc!).i32(4).op('i32Mul').set(ldc4)

  const callTile = (kernel: FunctionBuilder) => {
    fn.get(kc)
    // a + (i*tileStep + pc*csA)*4
    fn.get(a!).get(i).get(tileStep4).op('i32Mul').op('i32Add').get(pc).get(csA4).op('i32Mul').op('i32Add')
    fn.get(rsA4).get(csA4).get(bPanel)
    // c + i*ldc*4 + panel*nr*4
    fn.get(c!)
      .get(i)
      .get(ldc4)
      .op('i32Mul')
      .op('i32Add')
      .get(panel)
      .i32(nr * 4)
      .op('i32Mul')
      .op('i32Add')
    fn.get(ldc4).get(alpha!).get(accFlag).get(nValid).call(kernel.index)
  }

  fn.forLoop(
    jc,
    () => fn.get(p0!),
    () => fn.get(p1!),
    NC / nr,
    () => {
      min(
        () =>
          fn
            .get(jc)
            .i32(NC / nr)
            .op('i32Add'),
        () => fn.get(p1!),
      )
      fn.set(jcEnd)
      fn.forLoop(
        pc,
        () => fn.i32(0),
        () => fn.get(K!),
        KC,
        () => {
          min(
            () => fn.i32(KC),
            () => fn.get(K!).get(pc).op('i32Sub'),
          )
          fn.set(kc)
          // later K blocks add to what the first one wrote
          fn.get(accumulate!).get(pc).i32(0).op('i32GtS').op('i32Or').set(accFlag)
          fn.forLoop(
            ic,
            () => fn.i32(0),
            () => fn.get(M!),
            MC,
            () => {
              min(
                () => fn.get(ic).i32(MC).op('i32Add'),
                () => fn.get(M!),
              )
              fn.set(icEnd)
              fn.forLoop(
                panel,
                () => fn.get(jc),
                () => fn.get(jcEnd),
                1,
                () => {
                  min(
                    () => fn.i32(nr),
                    () => fn.get(N!).get(panel).i32(nr).op('i32Mul').op('i32Sub'),
                  )
                  fn.set(nValid)
                  // bp + (panel*K + pc)*nr*4
                  fn.get(bp!)
                    .get(panel)
                    .get(K!)
                    .op('i32Mul')
                    .get(pc)
                    .op('i32Add')
                    .i32(nr * 4)
                    .op('i32Mul')
                  fn.op('i32Add').set(bPanel)
                  fn.forLoop(
                    i,
                    () => fn.get(ic),
                    () =>
                      fn
                        .get(icEnd)
                        .i32(mr - 1)
                        .op('i32Sub'),
                    mr,
                    () => callTile(microKernels[mr - 1]!),
                  )
                  // i now points past the whole tiles; 0..mr-1 rows remain
                  fn.get(icEnd).get(i).op('i32Sub').set(rest)
                  for (let r = 1; r < mr; r++) {
                    fn.get(rest).i32(r).op('i32Eq')
                    fn.ifElse(() => callTile(microKernels[r - 1]!))
                  }
                },
              )
            },
          )
        },
      )
    },
  )
  return fn
}
