/** A file or model that cannot be moved between formats; the message names the tensor, node or field. */
export class InteropError extends Error {
  override name = 'InteropError'
}
