import { readFileSync, realpathSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, extname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * A static server for the browser conformance page: the repository's built packages (dist/) and
 * the two npm packages the generator needs, wired together by an import map, so the page runs
 * the same compiled code Node does, with no bundler.
 */
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const repoRoot = resolve(packageRoot, '../..')
const types: Record<string, string> = {
  '.js': 'text/javascript',
  '.html': 'text/html',
  '.map': 'application/json',
}

const url = (file: string) => `/${relative(repoRoot, realpathSync(file)).split(sep).join('/')}`

function importMap(): Record<string, string> {
  const fromTesting = createRequire(join(repoRoot, 'packages/testing/package.json'))
  const fastCheck = dirname(fromTesting.resolve('fast-check/package.json'))
  const pureRand = dirname(createRequire(join(fastCheck, 'package.json')).resolve('pure-rand/package.json'))
  const imports: Record<string, string> = {
    '@cellgraph/graph': url(join(repoRoot, 'packages/graph/dist/index.js')),
    '@cellgraph/autodiff': url(join(repoRoot, 'packages/autodiff/dist/index.js')),
    '@cellgraph/backends/webgpu': url(join(packageRoot, 'dist/webgpu/index.js')),
    'fast-check': url(join(fastCheck, 'lib/fast-check.js')),
  }
  for (const m of ['conformance/cases', 'conformance/check', 'conformance/tolerance', 'random/cellCase'])
    imports[`@cellgraph/testing/${m}`] = url(join(repoRoot, `packages/testing/dist/${m}.js`))
  const exportsOf = JSON.parse(readFileSync(join(pureRand, 'package.json'), 'utf8')).exports as Record<
    string,
    { import?: string }
  >
  for (const [sub, target] of Object.entries(exportsOf))
    if (target.import) imports[`pure-rand${sub.slice(1)}`] = url(join(pureRand, target.import))
  return imports
}

const page = () => `<!doctype html>
<meta charset="utf-8">
<title>cellgraph WebGPU conformance</title>
<script type="importmap">${JSON.stringify({ imports: importMap() })}</script>
<script type="module" src="${url(join(packageRoot, 'browser/conformance.js'))}"></script>`

/** Starts the server on a free local port. */
export function serveConformancePage(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname)
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page())
      return
    }
    const file = resolve(repoRoot, `.${path}`)
    if (!file.startsWith(repoRoot + sep)) {
      res.writeHead(403).end()
      return
    }
    try {
      const body = readFileSync(file)
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body)
    } catch {
      res.writeHead(404).end(`not found: ${path}`)
    }
  })
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      done({ server, origin: `http://127.0.0.1:${port}` })
    }),
  )
}
