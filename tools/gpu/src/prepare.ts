#!/usr/bin/env node
/**
 * Builds the ignored `.gpu/` folder at the repository root that the device call carries (see
 * README): esbuild bundles of the kit, the bench and the CLI; Dawn's Node addon; this machine's
 * node binary and the Vulkan loader packages, compressed; then checks it stays under the carry
 * limit. `--bundles-only` builds just the bundles (the dry run here uses this machine's node and
 * Vulkan loader).
 */
import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Plugin } from 'esbuild'

export const root = fileURLToPath(new URL('../../../', import.meta.url))
/** The folder the kit is built in: `.gpu` at the root, or GPUKIT_DIR (the dry-run test's own). */
export const kitDir = process.env.GPUKIT_DIR ?? join(root, '.gpu')
/** What a device call may carry, with room left for the tracked tree (about 2.5 MB). */
export const carryLimitBytes = 60 * 1024 * 1024

/** Vulkan's loader and the GL libraries NVIDIA's driver loads, as the device README lists them. */
const vulkanPackages = ['libvulkan1', 'libegl1', 'libglvnd0', 'libopengl0', 'libgl1', 'libglx0', 'libgles2']

/** The bench's JavaScript peers are not run on the GPU machine: their modules become empty. */
const stubPeers: Plugin = {
  name: 'stub-peers',
  setup(b) {
    b.onResolve({ filter: /^(@tensorflow\/|brain\.js$|onnxruntime-node$)/ }, (args) => ({
      path: args.path,
      namespace: 'stub',
    }))
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: 'module.exports = {}', loader: 'js' }))
  },
}

/** One ESM bundle for Node with `webgpu` (Dawn) left outside, loaded from .gpu/node_modules. */
async function bundle(entry: string, out: string): Promise<void> {
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(kitDir, out),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['webgpu'],
    plugins: [stubPeers],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'warning',
    logOverride: { 'ignored-bare-import': 'silent' }, // type-only modules, empty in JavaScript
  })
}

const xz = (from: string, to: string) =>
  writeFileSync(to, execFileSync('xz', ['-T0', '-6', '-c', from], { maxBuffer: 1 << 30 }))

function folderBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const p = join(dir, e.name)
    return sum + (e.isDirectory() ? folderBytes(p) : lstatSync(p).size)
  }, 0)
}

export async function prepare(options: {
  bundlesOnly: boolean
  log: (line: string) => void
}): Promise<number> {
  const { log } = options
  mkdirSync(kitDir, { recursive: true })
  for (const [entry, out] of [
    ['tools/gpu/dist/kit.js', 'kit.mjs'],
    ['tools/bench/dist/main.js', 'bench.mjs'],
    ['apps/cli/dist/main.js', 'cli.mjs'],
  ] as const) {
    if (!existsSync(join(root, entry)))
      throw new Error(`${entry} is missing: run the build first (pnpm build)`)
    await bundle(entry, out)
    log(`bundled ${entry} → .gpu/${out}`)
  }
  // Dawn: the package's entry, and this platform's addon compressed for the carry (21 MB as it
  // is; device.sh unpacks it) or, for a dry run here, linked to the installed one.
  const webgpu = join(createRequire(import.meta.url).resolve('webgpu'), '..')
  const dawnDir = join(kitDir, 'node_modules/webgpu')
  const addon = join(dawnDir, 'dist/linux-x64/dawn.node')
  mkdirSync(join(dawnDir, 'dist/linux-x64'), { recursive: true })
  for (const f of ['index.js', 'package.json']) copyFileSync(join(webgpu, f), join(dawnDir, f))
  rmSync(addon, { force: true })
  if (options.bundlesOnly) symlinkSync(join(webgpu, 'dist/linux-x64/dawn.node'), addon)
  else {
    xz(join(webgpu, 'dist/linux-x64/dawn.node'), join(kitDir, 'dawn.node.xz'))
    log('compressed Dawn → .gpu/dawn.node.xz')
    // This machine's node: the GPU machine has none. Reused while the version is the same.
    const version = join(kitDir, 'node.version')
    if (
      !existsSync(join(kitDir, 'node.xz')) ||
      !existsSync(version) ||
      readFileSync(version, 'utf8') !== process.version
    ) {
      xz(process.execPath, join(kitDir, 'node.xz'))
      writeFileSync(version, process.version)
    }
    log(`node ${process.version} → .gpu/node.xz`)
    const debs = join(kitDir, 'debs')
    mkdirSync(debs, { recursive: true })
    if (!readdirSync(debs).some((f) => f.endsWith('.deb'))) {
      const lists = '/tmp/gpukit-apt-lists'
      mkdirSync(join(lists, 'partial'), { recursive: true })
      const apt = ['-oAPT::Architecture=amd64', '-oAPT::Architectures=amd64', `-oDir::State::Lists=${lists}`]
      execFileSync('apt-get', [...apt, 'update'], { stdio: 'ignore' })
      execFileSync('apt-get', [...apt, 'download', ...vulkanPackages], { cwd: debs, stdio: 'ignore' })
    }
    log(`Vulkan loader packages → .gpu/debs (${readdirSync(debs).length} files)`)
  }
  const bytes = folderBytes(kitDir)
  const mib = (bytes / 2 ** 20).toFixed(1)
  if (bytes > carryLimitBytes)
    throw new Error(`.gpu is ${mib} MiB, over the ${carryLimitBytes / 2 ** 20} MiB a device call can carry`)
  log(`.gpu: ${mib} MiB (limit ${carryLimitBytes / 2 ** 20} MiB)`)
  return bytes
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1])
  prepare({ bundlesOnly: process.argv.includes('--bundles-only'), log: console.log }).catch((e: Error) => {
    console.error(e.message)
    process.exitCode = 1
  })
