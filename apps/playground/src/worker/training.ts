import type { Backend } from '@cellgraph/backends'
import { AddingSession } from '../train/adding.js'
import { CharLmSession } from '../train/charLm.js'
import type { TrainEvent, TrainingSession, TrainSetup } from '../train/session.js'

const SAMPLE_EVERY = 50

/** The worker's one training run: start, stop, resume, save, load; progress goes out as events. */
export class TrainingController {
  private session: TrainingSession | undefined
  private setup: TrainSetup | undefined
  private running = false
  private loop: Promise<void> | undefined

  constructor(private readonly emit: (event: TrainEvent) => void) {}

  async start(
    backend: Backend,
    setup: TrainSetup,
    bytes?: Uint8Array,
  ): Promise<{ description: string; steps: number }> {
    await this.stop()
    this.session?.dispose()
    this.session = undefined
    const make = setup.task === 'adding' ? AddingSession : CharLmSession
    this.session = bytes ? await make.load(backend, setup, bytes) : await make.create(backend, setup)
    this.setup = setup
    if (!bytes) this.resume()
    return { description: this.session.description, steps: this.session.steps }
  }

  /** Continues training up to `steps` in all (the setup's total when not given). */
  resume(steps?: number): void {
    if (this.running || !this.session || !this.setup) return
    this.loop = this.run(this.session, steps ?? this.setup.steps)
  }

  /** Stops after the step in flight; resolves when it has. */
  async stop(): Promise<void> {
    this.running = false
    await this.loop
  }

  async save(): Promise<Uint8Array> {
    if (!this.session) throw new Error('nothing to save: train a model first')
    await this.stop()
    return this.session.save()
  }

  private async run(session: TrainingSession, total: number): Promise<void> {
    this.running = true
    this.emit({ kind: 'state', state: 'running' })
    const started = performance.now()
    const first = session.steps
    try {
      while (this.running && session.steps < total) {
        const loss = await session.step()
        const seconds = (performance.now() - started) / 1000
        this.emit({
          kind: 'step',
          step: session.steps,
          loss,
          stepsPerSecond: (session.steps - first) / seconds,
        })
        if (session.steps % SAMPLE_EVERY === 0 || session.steps === total)
          this.emit({ kind: 'sample', step: session.steps, text: await session.sample() })
        // Let stop and save requests in: a step's awaits alone may never yield to the message queue.
        await new Promise((done) => setTimeout(done, 0))
      }
      const done = session.steps >= total
      if (!done) this.emit({ kind: 'sample', step: session.steps, text: await session.sample() })
      this.emit({ kind: 'state', state: done ? 'done' : 'stopped' })
    } catch (e) {
      this.emit({ kind: 'state', state: 'failed', note: e instanceof Error ? e.message : String(e) })
    } finally {
      this.running = false
    }
  }
}
