/**
 * `@cellgraph/train/node`: file helpers for Node.js (checkpoints on disk, text corpora, atomic
 * writes). The root entry `@cellgraph/train` imports no `node:` module, so it bundles for browsers.
 */
export * from './index.js'
export { writeFileAtomic } from './node/atomicWrite.js'
export { loadCheckpoint, MAX_CHECKPOINT_BYTES, saveCheckpoint } from './node/checkpointFile.js'
export { checkCheckpointPath } from './node/checkpointPath.js'
export { fileCorpus, MAX_CORPUS_BYTES } from './node/fileCorpus.js'
export { FileError, openRegularFile, readRegularFile } from './node/regularFile.js'
export { removeStaleTemps } from './node/staleTemps.js'
