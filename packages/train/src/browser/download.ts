/** The few DOM members a download needs, so the package type-checks without the DOM library. */
interface Anchor {
  href: string
  download: string
  click(): void
}

/**
 * Offers bytes (e.g. `model.save()`) as a file download in a browser page: a temporary object URL
 * clicked through a hidden link.
 */
export function downloadBytes(bytes: Uint8Array, filename: string, type = 'application/octet-stream'): void {
  const doc = (globalThis as { document?: { createElement(tag: 'a'): Anchor } }).document
  if (!doc) throw new Error('downloadBytes needs a browser page (there is no document here)')
  const url = URL.createObjectURL(new Blob([bytes.slice()], { type }))
  try {
    const a = doc.createElement('a')
    a.href = url
    a.download = filename
    a.click()
  } finally {
    // Revoked on the next task, once the click has started the download.
    setTimeout(() => URL.revokeObjectURL(url), 0)
  }
}
