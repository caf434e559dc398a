import { type KernelExports, ModuleBuilder, type ValType } from '@cellgraph/wasm'

/**
 * An argument of a kernel call inside a scan run as one WebAssembly function. An address is a
 * byte address `base + offset + t·stride` at time step t, its base a buffer's or an input's
 * address (by the generated code's variable name, `ab3`, `ai0`); `packed` is the address of a
 * weight pack (by handle name, `P0`); `panels` the number of packed panels of a product with
 * that many columns (the kernels' tiling decides).
 */
export type ScanArg =
  | { readonly kind: 'i32'; readonly value: number }
  | { readonly kind: 'f32'; readonly value: number }
  | { readonly kind: 'address'; readonly base: string; readonly offset: number; readonly stride: number }
  | { readonly kind: 'packed'; readonly handle: string }
  | { readonly kind: 'panels'; readonly columns: number }

/** A kernel call: fused kernel F[k] of the generated code, or a function of the kernel module. */
export interface ScanCall {
  readonly target:
    | { readonly kind: 'fused'; readonly index: number }
    | { readonly kind: 'kernel'; readonly name: 'gemmPacked' | 'rowSum' | 'rowMean' | 'rowMax' }
  readonly args: readonly ScanArg[]
}

/** A scan whose every step is a fixed list of kernel calls: compiled to one WebAssembly loop. */
export interface ScanPlan {
  readonly steps: number
  readonly reverse: boolean
  readonly calls: readonly ScanCall[]
  /** Names of the input address variables the function takes, in parameter order (`ai0`, ...). */
  readonly inputs: readonly string[]
  /** Names of the buffer addresses and weight packs the calls use, resolved when it is built. */
  readonly named: readonly string[]
}

/** What compiling a plan needs from the backend, resolved once per compiled instance. */
export interface ScanLinks {
  readonly memory: WebAssembly.Memory
  /** The kernel module's exports (gemmPacked, row reductions) on the calling thread. */
  readonly kernels: KernelExports
  /** The generated code's fused kernels, F[k]. */
  readonly fused: readonly ((...args: number[]) => void)[]
  /** The address of a buffer base (`ab3`) or a weight pack (`P0`). */
  readonly resolve: (name: string) => number
  /** Columns of a packed panel. */
  readonly panelWidth: number
}

const isShared = (memory: WebAssembly.Memory) =>
  typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer

/**
 * Compiles a scan plan to one WebAssembly function `scan(input addresses...)` that runs every
 * step's calls in a loop (importing the kernels it calls), so a time loop pays no JavaScript
 * between steps and kernels. Addresses live in locals advanced by their stride each step (back
 * from the last step when `reverse`).
 */
export function compileScan(plan: ScanPlan, links: ScanLinks): (...inputs: number[]) => void {
  const mod = new ModuleBuilder({ shared: isShared(links.memory) })
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = { f: {}, k: {} }
  const callees = new Map<string, number>()
  const calleeOf = (call: ScanCall): number => {
    const { target } = call
    const key = target.kind === 'fused' ? `f${target.index}` : target.name
    let index = callees.get(key)
    if (index === undefined) {
      const params: ValType[] = call.args.map((a) => (a.kind === 'f32' ? 'f32' : 'i32'))
      if (target.kind === 'fused') {
        index = mod.importFunction('f', key, params, [])
        imports.f![key] = links.fused[target.index]!
      } else {
        index = mod.importFunction('k', key, params, [])
        imports.k![key] = links.kernels[target.name]
      }
      callees.set(key, index)
    }
    return index
  }
  for (const call of plan.calls) calleeOf(call)

  const fn = mod.function(
    'scan',
    plan.inputs.map((name) => [name, 'i32'] as const),
  )
  // one local per distinct moving address, started at the first step's value
  const addresses = new Map<string, ReturnType<typeof fn.local>>()
  const moving: { local: ReturnType<typeof fn.local>; step: number }[] = []
  const first = plan.reverse ? plan.steps - 1 : 0
  const addressLocal = (a: Extract<ScanArg, { kind: 'address' }>) => {
    const key = `${a.base}|${a.offset}|${a.stride}`
    let local = addresses.get(key)
    if (!local) {
      local = fn.local('i32', `at${addresses.size}`)
      addresses.set(key, local)
      const offset = a.offset + first * a.stride
      if (plan.inputs.includes(a.base)) fn.get(fn.param(a.base)).i32(offset).op('i32Add')
      else fn.i32(links.resolve(a.base) + offset)
      fn.set(local)
      if (a.stride !== 0) moving.push({ local, step: plan.reverse ? -a.stride : a.stride })
    }
    return local
  }
  for (const call of plan.calls) for (const a of call.args) if (a.kind === 'address') addressLocal(a)

  const s = fn.local('i32', 's')
  fn.forLoop(
    s,
    () => fn.i32(0),
    () => fn.i32(plan.steps),
    1,
    () => {
      for (const call of plan.calls) {
        for (const a of call.args) {
          if (a.kind === 'i32') fn.i32(a.value)
          else if (a.kind === 'f32') fn.f32(a.value)
          else if (a.kind === 'address') fn.get(addressLocal(a))
          else if (a.kind === 'packed') fn.i32(links.resolve(a.handle))
          else fn.i32(Math.ceil(a.columns / links.panelWidth))
        }
        fn.call(calleeOf(call))
      }
      for (const { local, step } of moving) fn.increment(local, step)
    },
  )
  const module = new WebAssembly.Module(mod.encode() as BufferSource)
  const instance = new WebAssembly.Instance(module, { env: { memory: links.memory }, ...imports })
  return instance.exports.scan as (...inputs: number[]) => void
}
