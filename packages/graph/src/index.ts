export { cellFromJson, cellToJson } from './cellJson.js'
export * from './cells/index.js'
export { GraphBuilder, tracing, Value } from './dsl/builder.js'
export {
  type Cell,
  type CellBody,
  type CellDefinition,
  type CellSizes,
  type CellSpec,
  type CellStep,
  cellParams,
  defineCell,
  layerBiases,
  outputSize,
} from './dsl/cell.js'
export { clippedBody } from './dsl/clippedBody.js'
export { maskedBody } from './dsl/maskedBody.js'
export * from './dsl/ops.js'
export {
  type Direction,
  directions,
  type SequenceOptions,
  type StackLayersOptions,
  type StackSizes,
  sequenceGraph,
  stackCells,
  stackLayers,
} from './dsl/stack.js'
export { GraphError, InputError, JsonFormatError } from './errors.js'
export { fromTorch, type TorchBlock, type TorchLayout, type TorchTensor, toTorch } from './interop.js'
export { type EvaluateOptions, evaluate, runGraph } from './interpret/run.js'
export type { Graph, GraphOutput, Node, Ref } from './ir.js'
export { leafName, nodeMap, parseRef, ref } from './ir.js'
export { graphFromJson, graphToJson } from './json.js'
export { ShapeRuleError } from './ops/def.js'
export * from './ops/index.js'
export { printGraph } from './print.js'
export { Rng } from './random.js'
export {
  asArray,
  asBoolean,
  asChoice,
  asInteger,
  asName,
  asNameArray,
  asNumber,
  asObject,
  asString,
  documentLimits,
  nullMap,
  onlyFields,
  own,
  parseJsonText,
  printable,
  quoted,
} from './schema.js'
export { lengthMask, swapLeadingAxes } from './sequenceData.js'
export type { Tensor } from './tensor.js'
export { fromNested, tensor, toNested, zeros } from './tensor.js'
export type { Layout, ValueType } from './types.js'
export { elementCount, formatType, isRows, rowsOf, sameType, tensorOf } from './types.js'
export { GraphTypes, signature, verify } from './verify.js'
