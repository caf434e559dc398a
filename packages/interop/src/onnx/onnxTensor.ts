import { fromBFloat16Bits, fromHalfBits } from '@cellgraph/train'
import { InteropError } from '../errors.js'
import { onnx } from './onnxProto.js'
import type { ProtoMessage } from './protobufReader.js'

export interface OnnxTensor {
  readonly name: string
  readonly dims: readonly number[]
  /** Float types as float64 values; int32/int64 as numbers. */
  readonly data: Float64Array
}

const rawBytes: Record<number, number> = {
  [onnx.type.float]: 4,
  [onnx.type.double]: 8,
  [onnx.type.float16]: 2,
  [onnx.type.bfloat16]: 2,
  [onnx.type.int32]: 4,
  [onnx.type.int64]: 8,
}

/** A TensorProto: float, double, float16, bfloat16, int32 or int64, raw or typed fields, sizes checked. */
export function readTensor(m: ProtoMessage): OnnxTensor {
  const name = m.string(8)
  const what = `tensor '${name}'`
  const dims = m.ints(1)
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw new InteropError(`${what}: dims [${dims}] must be non-negative integers`)
  const count = dims.reduce((n, d) => n * d, 1)
  const type = m.int(2)
  if (m.int(14) === 1 || m.fields.has(13))
    throw new InteropError(`${what}: external data is not supported; save the model with its weights inside`)
  const size = rawBytes[type]
  if (size === undefined)
    throw new InteropError(
      `${what}: data type ${type} is not supported (float, double, float16, bfloat16, int32, int64)`,
    )
  const raw = m.bytes(9)
  let values: ArrayLike<number>
  if (raw) {
    if (raw.length !== count * size)
      throw new InteropError(`${what}: raw_data has ${raw.length} bytes, dims [${dims}] need ${count * size}`)
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength)
    const read = (i: number): number => {
      if (type === onnx.type.float) return view.getFloat32(4 * i, true)
      if (type === onnx.type.double) return view.getFloat64(8 * i, true)
      if (type === onnx.type.float16) return fromHalfBits(view.getUint16(2 * i, true))
      if (type === onnx.type.bfloat16) return fromBFloat16Bits(view.getUint16(2 * i, true))
      if (type === onnx.type.int32) return view.getInt32(4 * i, true)
      return Number(view.getBigInt64(8 * i, true))
    }
    values = Array.from({ length: count }, (_, i) => read(i))
  } else if (type === onnx.type.float) values = m.floats(4)
  else if (type === onnx.type.double) values = m.doubles(10)
  else if (type === onnx.type.int64) values = m.ints(7)
  else if (type === onnx.type.int32) values = m.ints(5)
  else values = m.ints(5).map(type === onnx.type.float16 ? fromHalfBits : fromBFloat16Bits) // 16-bit floats in int32_data
  if (values.length !== count)
    throw new InteropError(`${what}: ${values.length} values, dims [${dims}] need ${count}`)
  return { name, dims, data: Float64Array.from(values) }
}
