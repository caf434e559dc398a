import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  checkCheckpointPath,
  fileCorpus,
  readRegularFile,
  removeStaleTemps,
  Vocabulary,
} from '../src/node.js'

const dir = mkdtempSync(join(tmpdir(), 'cellgraph-files-'))
const at = (name: string) => join(dir, name)

describe('files from the command line', () => {
  it('streams a corpus in chunks: multi-byte characters across chunk edges decode as a whole read would', () => {
    // 1 MiB chunks: 3-byte and 4-byte characters are placed to straddle the first boundary.
    const text = `${'a'.repeat((1 << 20) - 1)}€😀 fin\n${'xyz €\n'.repeat(5000)}`
    writeFileSync(at('multi.txt'), text)
    const corpus = fileCorpus(at('multi.txt'))
    const chars = [...text]
    const held = Math.floor(chars.length * 0.1)
    const vocabulary = Vocabulary.fromText(text)
    expect(corpus.vocabulary.chars).toEqual(vocabulary.chars)
    expect([...corpus.train]).toEqual([...vocabulary.encode(chars.slice(0, chars.length - held).join(''))])
    expect([...corpus.heldOut]).toEqual([...vocabulary.encode(chars.slice(chars.length - held).join(''))])
  })

  it('refuses devices and FIFOs without reading or blocking', () => {
    expect(() => fileCorpus('/dev/urandom')).toThrow(
      "data file '/dev/urandom' is not a regular file (a device, FIFO or socket)",
    )
    expect(() => readRegularFile('/dev/zero', 'checkpoint', 100)).toThrow(
      "checkpoint '/dev/zero' is not a regular file",
    )
    execFileSync('mkfifo', [at('fifo')])
    expect(() => fileCorpus(at('fifo'))).toThrow(/is not a regular file/)
    expect(() => fileCorpus(dir)).toThrow(/is a directory/)
    writeFileSync(at('big.bin'), new Uint8Array(101))
    expect(() => readRegularFile(at('big.bin'), 'checkpoint', 100)).toThrow(/is 101 bytes; the limit is 100/)
  })

  it('checks a checkpoint path before training: /proc, directories and devices fail at once', () => {
    expect(() => checkCheckpointPath('/proc/nope/run.safetensors')).toThrow(
      /cannot create '\/proc\/nope': ENOENT/,
    )
    expect(() => checkCheckpointPath(dir)).toThrow(/is a directory/)
    expect(() => checkCheckpointPath('/dev/null')).toThrow(/is not a regular file/)
    checkCheckpointPath(at('deep/er/run.safetensors'))
    expect(existsSync(at('deep/er'))).toBe(true)
  })

  it('removes the temp files of killed saves, keeping those of live processes', () => {
    const dead = `.run.safetensors.${2 ** 22 + 1}.1700000000000.tmp` // above Linux's largest pid
    const live = `.run.safetensors.${process.pid}.1700000000000.tmp`
    for (const name of [dead, live, 'other.tmp']) writeFileSync(at(name), 'partial')
    expect(removeStaleTemps(at('run.safetensors'))).toEqual([dead])
    expect(existsSync(at(dead))).toBe(false)
    expect(existsSync(at(live))).toBe(true)
    expect(existsSync(at('other.tmp'))).toBe(true)
  })
})
