import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { decodeSafetensors, encodeSafetensors } from '@cellgraph/train'
import { describe, expect, it } from 'vitest'
import { expectOneLineError, programIn } from './program.js'

const { dir, at, cellgraph } = programIn('cellgraph-hostile-')

describe('hostile command lines', () => {
  it('--cell names of Object.prototype are unknown cells, not JavaScript errors', () => {
    for (const name of ['constructor', '__proto__', 'toString'])
      expectOneLineError(
        cellgraph('train', '--cell', name, '--checkpoint', at('c.safetensors')),
        /neither a built-in cell/,
        'train',
      )
  })

  it('option values that are not numbers or absurdly large name the option', () => {
    expectOneLineError(
      cellgraph('gradcheck', 'x.json', '--tolerance', 'NaN'),
      /--tolerance must be a number/,
      'gradcheck',
    )
    expectOneLineError(
      cellgraph('train', '--hidden', '1000000000'),
      /--hidden must be at most 65536, got '1000000000'/,
      'train',
    )
    expectOneLineError(cellgraph('train', '--layers', '1e5'), /--layers must be at most 256/, 'train')
    expectOneLineError(
      cellgraph('train', '--batch', '65536', '--window', '65536', '--checkpoint', at('big.safetensors')),
      /--batch 65536 × --window 65536 × width \d+ = .* values in one activation; the limit is/,
      'train',
    )
  })

  it('terminal escapes in names and values are printed escaped', () => {
    const r = cellgraph('train', '--backend', 'x\u001b]0;owned\u0007')
    expect(r.stderr).not.toContain('\u001b]')
    expect(r.stderr).toContain('x\\u001b]0;owned\\u0007')
  })
})

describe('hostile checkpoints on the command line', () => {
  const tiny = ['--hidden', '8', '--batch', '4', '--window', '8', '--sample', '0', '--no-eval']
  const checkpoint = at('run.safetensors')

  it('--until at or before the saved step, and a resume at another batch size, are refused', () => {
    expect(
      cellgraph('train', ...tiny, '--steps', '6', '--until', '3', '--checkpoint', checkpoint).status,
    ).toBe(0)
    expectOneLineError(
      cellgraph('train', '--resume', '--until', '2', '--checkpoint', checkpoint),
      /--until 2 is not after the checkpoint's step 3/,
      'train',
    )
    expectOneLineError(
      cellgraph('train', '--resume', '--batch', '2', '--checkpoint', checkpoint),
      /carried state 'l0\.h' is \[4,8\], this run needs \[2,8\]/,
      'train',
    )
  })

  it('a data path inside a checkpoint is never opened', () => {
    const { tensors, metadata } = decodeSafetensors(readFileSync(checkpoint))
    const training = { ...JSON.parse(metadata.training!), data: '/etc/passwd' }
    writeFileSync(
      at('pointing.safetensors'),
      encodeSafetensors({ ...tensors }, { ...metadata, training: JSON.stringify(training) }),
    )
    expectOneLineError(cellgraph('eval', '--checkpoint', 'pointing.safetensors'), /pass --data FILE/, 'eval')
    expectOneLineError(
      cellgraph('train', '--resume', '--checkpoint', 'pointing.safetensors'),
      /pass --data FILE/,
      'train',
    )
  })

  it('a run that diverges to huge finite losses exits non-zero and says so', () => {
    const diverging = ['--optimizer', 'sgd', '--lr', '100', '--clip', '0', '--momentum', '0', '--steps', '30']
    const r = cellgraph('train', ...tiny, ...diverging, '--checkpoint', at('diverged.safetensors'))
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(
      /cellgraph train: training diverged: the final loss .* nats\/char is worse than twice uniform guessing/,
    )
  })
})

describe('hostile paths', () => {
  const tiny = [
    '--hidden',
    '8',
    '--batch',
    '4',
    '--window',
    '8',
    '--sample',
    '0',
    '--no-eval',
    '--steps',
    '2',
  ]

  it('devices and FIFOs are refused at once, as data, checkpoint or cell file', () => {
    execFileSync('mkfifo', [at('pipe')])
    expectOneLineError(
      cellgraph('train', ...tiny, '--data', '/dev/urandom'),
      /data file '\/dev\/urandom' is not a regular file/,
      'train',
    )
    expectOneLineError(
      cellgraph('sample', '--checkpoint', '/dev/zero'),
      /checkpoint '\/dev\/zero' is not a regular file/,
      'sample',
    )
    expectOneLineError(
      cellgraph('eval', '--checkpoint', 'pipe'),
      /checkpoint 'pipe' is not a regular file/,
      'eval',
    )
    expectOneLineError(cellgraph('gradcheck', 'pipe'), /cell file 'pipe' is not a regular file/, 'gradcheck')
  })

  it('a checkpoint path that cannot be written fails before training, leaving no temp file', () => {
    const r = cellgraph('train', ...tiny, '--checkpoint', '/proc/nope/run.safetensors')
    expectOneLineError(
      r,
      /cannot save checkpoint '\/proc\/nope\/run\.safetensors': cannot create '\/proc\/nope': ENOENT/,
      'train',
    )
    expect(r.stdout).not.toMatch(/Trained/)
    writeFileSync(at('file'), 'not a directory')
    expectOneLineError(
      cellgraph('train', ...tiny, '--checkpoint', 'file/run.safetensors'),
      /'.*file' is not a directory/,
      'train',
    )
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
  })

  it('temp files left by killed saves are removed on the next run', () => {
    const stale = `.kept.safetensors.${2 ** 22 + 1}.1700000000000.tmp`
    writeFileSync(at(stale), 'half a checkpoint')
    const r = cellgraph('train', ...tiny, '--checkpoint', 'kept.safetensors')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(`Removed 1 temporary file(s) left by interrupted saves: ${stale}.`)
    expect(existsSync(at(stale))).toBe(false)
  })
})
