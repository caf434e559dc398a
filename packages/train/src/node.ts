/**
 * `@cellgraph/train/node`: file helpers for Node.js (checkpoints on disk, text corpora, atomic
 * writes). The root entry `@cellgraph/train` imports no `node:` module, so it bundles for browsers.
 */
export * from './index.js'
export { writeFileAtomic } from './node/atomicWrite.js'
export { loadCheckpoint, saveCheckpoint } from './node/checkpointFile.js'
export { fileCorpus } from './node/fileCorpus.js'
