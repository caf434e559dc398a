export { downloadBytes } from './download.js'
export { type IndexedDbOptions, loadFromIndexedDB, saveToIndexedDB } from './indexedDb.js'
