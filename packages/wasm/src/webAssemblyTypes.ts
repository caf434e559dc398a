/**
 * The WebAssembly types this package's public signatures name, declared for consumers whose
 * TypeScript has no WebAssembly declarations (a Node.js project with @types/node but without the
 * DOM library). Empty interfaces merge with the full declarations wherever those exist.
 */
declare global {
  namespace WebAssembly {
    interface Memory {}
    interface Module {}
  }
}

export {}
