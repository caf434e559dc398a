import { type Tensor, tensor } from '@cellgraph/graph'
import * as ort from 'onnxruntime-node'

/** Runs an ONNX model in ONNX Runtime: float inputs as float32, int32 arrays as int32. */
export async function runOrt(
  model: Uint8Array,
  feeds: Readonly<Record<string, Tensor | Int32Array>>,
): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(model)
  const inputs = Object.fromEntries(
    Object.entries(feeds).map(([name, v]) => [
      name,
      v instanceof Int32Array
        ? new ort.Tensor('int32', v, [v.length])
        : new ort.Tensor('float32', Float32Array.from(v.data), [...v.dims]),
    ]),
  )
  const out = await session.run(inputs)
  await session.release()
  return Object.fromEntries(
    Object.entries(out).map(([name, t]) => [
      name,
      tensor(t.dims.map(Number), Array.from(t.data as Float32Array)),
    ]),
  )
}

/** cellgraph's per-direction states [B,H] of layer k as ONNX's [directions,B,H]. */
export function stackDirections(parts: readonly Tensor[]): Tensor {
  const [b, h] = parts[0]!.dims
  const out = tensor([parts.length, b!, h!])
  parts.forEach((p, d) => out.data.set(p.data, d * p.data.length))
  return out
}
