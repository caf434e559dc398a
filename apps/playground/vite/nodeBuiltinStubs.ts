import type { Plugin } from 'vite'

/**
 * Until @cellgraph/train keeps its Node-only code (files, paths) behind a Node entry, its main
 * entry imports node:fs and node:path. The playground never calls those functions; this resolves
 * the modules to stubs that throw a clear error if one ever is called.
 */
const stubbed = ['node:fs', 'node:path']
const PREFIX = '\0node-stub:'

export function nodeBuiltinStubs(): Plugin {
  return {
    name: 'cellgraph-node-builtin-stubs',
    enforce: 'pre',
    resolveId: (id) => (stubbed.includes(id) ? PREFIX + id : null),
    load(id) {
      if (!id.startsWith(PREFIX)) return null
      const module = id.slice(PREFIX.length)
      const names =
        module === 'node:fs'
          ? [
              'readFileSync',
              'statSync',
              'closeSync',
              'fsyncSync',
              'openSync',
              'renameSync',
              'rmSync',
              'writeSync',
            ]
          : ['basename', 'dirname', 'join']
      return names
        .map(
          (n) =>
            `export function ${n}() { throw new Error('${module} ${n} is not available in the browser') }`,
        )
        .join('\n')
    },
  }
}
