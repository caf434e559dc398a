/**
 * Saving model bytes in the browser: a download, and IndexedDB (kept across visits).
 * One object store, keys are names ('model').
 */
const DB = 'cellgraph-playground'
const STORE = 'models'

export function downloadBytes(bytes: Uint8Array, filename: string): void {
  const url = URL.createObjectURL(
    new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
  )
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1)
    request.onupgradeneeded = () => request.result.createObjectStore(STORE)
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

async function transact<T>(
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await open()
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = work(db.transaction(STORE, mode).objectStore(STORE))
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    })
  } finally {
    db.close()
  }
}

export const saveToIndexedDB = (key: string, bytes: Uint8Array): Promise<IDBValidKey> =>
  transact('readwrite', (store) => store.put(bytes, key))

export async function loadFromIndexedDB(key: string): Promise<Uint8Array | undefined> {
  const value = await transact('readonly', (store) => store.get(key) as IDBRequest<Uint8Array | undefined>)
  return value === undefined ? undefined : new Uint8Array(value)
}
