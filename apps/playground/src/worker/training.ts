import type { Backend } from '@cellgraph/backends'
import { ModelSession } from '../train/modelSession.js'
import type { TrainEvent, TrainSetup } from '../train/session.js'

const SAMPLE_EVERY = 50

/** The worker's one training run: start, stop, resume, save, load; progress goes out as events. */
export class TrainingController {
  private session: ModelSession | undefined
  private setup: TrainSetup | undefined
  private stopper: AbortController | undefined
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
    this.session = bytes
      ? await ModelSession.load(backend, setup, bytes)
      : await ModelSession.create(backend, setup)
    this.setup = setup
    if (!bytes) this.resume()
    return { description: this.session.description, steps: this.session.steps }
  }

  /** Continues training up to `steps` in all (the setup's total when not given). */
  resume(steps?: number): void {
    if (this.stopper || !this.session || !this.setup) return
    this.loop = this.run(this.session, this.setup, steps ?? this.setup.steps)
  }

  /** Stops after the step in flight; resolves when it has. */
  async stop(): Promise<void> {
    this.stopper?.abort()
    await this.loop
  }

  async save(): Promise<Uint8Array> {
    if (!this.session) throw new Error('nothing to save: train a model first')
    await this.stop()
    return this.session.save()
  }

  private async run(session: ModelSession, setup: TrainSetup, total: number): Promise<void> {
    const stopper = (this.stopper = new AbortController())
    this.emit({ kind: 'state', state: 'running' })
    const started = performance.now()
    const first = session.steps
    try {
      await session.train(
        setup,
        total,
        async (step, loss) => {
          const seconds = (performance.now() - started) / 1000
          this.emit({ kind: 'step', step, loss, stepsPerSecond: (step - first) / seconds })
          if (step % SAMPLE_EVERY === 0) this.emit({ kind: 'sample', step, text: await session.sample() })
          // Let stop and save requests in: a step's awaits alone may never yield to the message queue.
          await new Promise((done) => setTimeout(done, 0))
        },
        stopper.signal,
      )
      this.emit({ kind: 'sample', step: session.steps, text: await session.sample() })
      this.emit({ kind: 'state', state: session.steps >= total ? 'done' : 'stopped' })
    } catch (e) {
      this.emit({ kind: 'state', state: 'failed', note: e instanceof Error ? e.message : String(e) })
    } finally {
      this.stopper = undefined
    }
  }
}
