/** An error in a graph or cell definition. The message names the node, the op and what is wrong. */
export class GraphError extends Error {
  override name = 'GraphError'
  constructor(
    message: string,
    readonly nodeId?: string,
    readonly op?: string,
  ) {
    super(message)
  }
}

/** A malformed JSON document: `path` names the field, e.g. `nodes[3].attrs.activation`. */
export class JsonFormatError extends Error {
  override name = 'JsonFormatError'
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`)
  }
}

/** Bad run-time input to an interpreter or backend: wrong name, shape or a non-finite value. */
export class InputError extends Error {
  override name = 'InputError'
}
