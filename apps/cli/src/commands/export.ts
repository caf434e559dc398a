import { exportOnnxScan } from '@cellgraph/interop'
import { loadCheckpoint, modelGraph, writeFileAtomic } from '@cellgraph/train/node'
import { CliError, parse } from '../args.js'

export const exportHelp = `Usage: cellgraph export --onnx FILE [options]

Writes a checkpoint's model as an ONNX model for ONNX Runtime and other ONNX tools: the one-hot
input (and embedding), every recurrent layer as an ONNX Scan over its cell, and the head's logits.

Inputs: x [T, B, vocabulary] (one-hot rows), l<k>.<state>0 [B, hidden] per layer.
Outputs: logits [T, B, vocabulary], l<k>.<state> [B, hidden] per layer.

Options:
  --onnx FILE           the ONNX file to write
  --checkpoint PATH     the model (default runs/char-lm.safetensors)
  -h, --help            show this help
`

const options = {
  onnx: { type: 'string' },
  checkpoint: { type: 'string', default: 'runs/char-lm.safetensors' },
} as const

export async function exportModel(argv: readonly string[], write: (line: string) => void): Promise<number> {
  const { values: v } = parse(argv, options)
  if (!v.onnx) throw new CliError('--onnx FILE is required (the ONNX file to write)')
  const c = loadCheckpoint(v.checkpoint)
  const bytes = exportOnnxScan(modelGraph(c.model), c.params)
  writeFileAtomic(v.onnx, bytes)
  const layers = c.model.cells.map((cell) => cell.name).join(', ')
  write(
    `wrote ${v.onnx}: ${layers} (${c.model.cells.length} layer(s)), ${bytes.length.toLocaleString('en')} bytes`,
  )
  return 0
}
