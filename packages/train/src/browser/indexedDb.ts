/**
 * Model bytes in the browser's IndexedDB, one record per key. Typed with the few members used, so
 * the package type-checks without the DOM library.
 */

interface Request<T> {
  result: T
  error: unknown
  onsuccess: (() => void) | null
  onerror: (() => void) | null
}
interface OpenRequest extends Request<Database> {
  onupgradeneeded: (() => void) | null
}
interface Database {
  readonly objectStoreNames: { contains(name: string): boolean }
  createObjectStore(name: string): unknown
  transaction(store: string, mode: 'readonly' | 'readwrite'): Transaction
  close(): void
}
interface Transaction {
  objectStore(name: string): {
    put(value: unknown, key: string): Request<unknown>
    get(key: string): Request<unknown>
  }
  oncomplete: (() => void) | null
  onerror: (() => void) | null
  error: unknown
}
interface Factory {
  open(name: string, version?: number): OpenRequest
}

export interface IndexedDbOptions {
  /** Default 'cellgraph'. */
  readonly database?: string
  /** Default 'models'. */
  readonly store?: string
}

function factory(): Factory {
  const idb = (globalThis as { indexedDB?: Factory }).indexedDB
  if (!idb) throw new Error('IndexedDB is not available here (it exists in browsers and their workers)')
  return idb
}

const done = <T>(request: Request<T>, what: string): Promise<T> =>
  new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(new Error(`IndexedDB ${what} failed: ${String(request.error)}`))
  })

async function open(options: IndexedDbOptions): Promise<{ db: Database; store: string }> {
  const store = options.store ?? 'models'
  const request = factory().open(options.database ?? 'cellgraph')
  request.onupgradeneeded = () => {
    if (!request.result.objectStoreNames.contains(store)) request.result.createObjectStore(store)
  }
  const db = await done(request, 'open')
  if (db.objectStoreNames.contains(store)) return { db, store }
  // The database exists without this store: reopen one version up to create it.
  const version = (db as unknown as { version: number }).version + 1
  db.close()
  const upgrade = factory().open(options.database ?? 'cellgraph', version)
  upgrade.onupgradeneeded = () => upgrade.result.createObjectStore(store)
  return { db: await done(upgrade, 'open'), store }
}

/** Stores bytes (e.g. `model.save()`) under `key`; resolves once the write is committed. */
export async function saveToIndexedDB(
  key: string,
  bytes: Uint8Array,
  options: IndexedDbOptions = {},
): Promise<void> {
  const { db, store } = await open(options)
  try {
    const tx = db.transaction(store, 'readwrite')
    const committed = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve()
      tx.onerror = () => reject(new Error(`IndexedDB write of '${key}' failed: ${String(tx.error)}`))
    })
    tx.objectStore(store).put(bytes.slice(), key)
    await committed
  } finally {
    db.close()
  }
}

/** The bytes stored under `key`, or undefined where there are none. */
export async function loadFromIndexedDB(
  key: string,
  options: IndexedDbOptions = {},
): Promise<Uint8Array | undefined> {
  const { db, store } = await open(options)
  try {
    const value = await done(
      db.transaction(store, 'readonly').objectStore(store).get(key),
      `read of '${key}'`,
    )
    if (value === undefined) return undefined
    if (value instanceof Uint8Array) return value
    if (value instanceof ArrayBuffer) return new Uint8Array(value)
    throw new Error(`IndexedDB record '${key}' holds no bytes`)
  } finally {
    db.close()
  }
}
