import { ByteWriter } from './encoding.js'
import { FunctionBuilder } from './functionBuilder.js'
import { type ValType, valType } from './opcodes.js'

/** The imported linear memory: shared (threads, needs a maximum) or not. */
export interface MemoryImport {
  readonly shared: boolean
}

/** The largest 32-bit memory, in 64 KiB pages: any caller's maximum fits under it. */
const MAX_PAGES = 65536

interface FunctionImport {
  readonly module: string
  readonly name: string
  readonly typeIndex: number
}

const section = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const

/**
 * Builds a WebAssembly module that imports its memory as `env.memory` (so every kernel module
 * works on the caller's one memory) and exports the functions it defines.
 */
export class ModuleBuilder {
  private readonly types: string[] = []
  private readonly typeSignatures: Array<[readonly ValType[], readonly ValType[]]> = []
  private readonly imports: FunctionImport[] = []
  private readonly functions: FunctionBuilder[] = []
  private readonly exportNames = new Map<FunctionBuilder, string>()
  private sealedImports = false

  constructor(private readonly memory: MemoryImport) {}

  private typeIndex(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(',')}->${results.join(',')}`
    let index = this.types.indexOf(key)
    if (index < 0) {
      index = this.types.push(key) - 1
      this.typeSignatures.push([params, results])
    }
    return index
  }

  /** Imports a function (e.g. a kernel exported by another instance); returns its index. */
  importFunction(
    module: string,
    name: string,
    params: readonly ValType[],
    results: readonly ValType[],
  ): number {
    if (this.sealedImports) throw new Error(`import ${module}.${name}: imports must precede functions`)
    this.imports.push({ module, name, typeIndex: this.typeIndex(params, results) })
    return this.imports.length - 1
  }

  /** Declares a function; build its body on the returned builder before `encode`. */
  function(
    name: string,
    params: ReadonlyArray<readonly [string, ValType]>,
    results: readonly ValType[] = [],
    options: { exported?: boolean } = {},
  ): FunctionBuilder {
    this.sealedImports = true
    const fn = new FunctionBuilder(name, this.imports.length + this.functions.length, params, results)
    this.functions.push(fn)
    if (options.exported ?? true) this.exportNames.set(fn, name)
    return fn
  }

  encode(): Uint8Array {
    const out = new ByteWriter().raw([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00])
    const fnTypes = this.functions.map((fn) =>
      this.typeIndex(
        fn.params.map((p) => p.type),
        fn.results,
      ),
    )

    const types = new ByteWriter().uleb(this.typeSignatures.length)
    for (const [params, results] of this.typeSignatures) {
      types.u8(0x60).uleb(params.length)
      for (const p of params) types.u8(valType[p])
      types.uleb(results.length)
      for (const r of results) types.u8(valType[r])
    }
    out.u8(section.type).sized(types)

    const imports = new ByteWriter().uleb(this.imports.length + 1)
    imports.name('env').name('memory').u8(0x02)
    if (this.memory.shared) imports.u8(0x03).uleb(0).uleb(MAX_PAGES)
    else imports.u8(0x00).uleb(0)
    for (const imp of this.imports) imports.name(imp.module).name(imp.name).u8(0x00).uleb(imp.typeIndex)
    out.u8(section.import).sized(imports)

    const fnSection = new ByteWriter().uleb(fnTypes.length)
    for (const t of fnTypes) fnSection.uleb(t)
    out.u8(section.function).sized(fnSection)

    const exports = new ByteWriter().uleb(this.exportNames.size)
    for (const [fn, name] of this.exportNames) exports.name(name).u8(0x00).uleb(fn.index)
    out.u8(section.export).sized(exports)

    const code = new ByteWriter().uleb(this.functions.length)
    for (const fn of this.functions) code.sized(fn.encodeBody())
    out.u8(section.code).sized(code)
    return out.finish()
  }
}
