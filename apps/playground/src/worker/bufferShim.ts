// @cellgraph/train's safetensors writer measures its header with Buffer.byteLength, which
// browsers lack; until it uses TextEncoder, this gives it exactly that one function.
const scope = globalThis as { Buffer?: unknown }
scope.Buffer ??= { byteLength: (text: string) => new TextEncoder().encode(text).length }
