import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'

/** A live loss curve: points are added as steps report, drawn at most once a frame. */
export class LossChart {
  readonly steps: number[] = []
  readonly losses: number[] = []
  private readonly plot: uPlot
  private pending = false

  constructor(parent: HTMLElement) {
    this.plot = new uPlot(
      {
        width: Math.max(300, parent.clientWidth || 600),
        height: 300,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, { label: 'loss' }],
        series: [{ label: 'step' }, { label: 'loss', stroke: '#1f6fd1', width: 1.5 }],
      },
      [[], []],
      parent,
    )
  }

  clear(): void {
    this.steps.length = 0
    this.losses.length = 0
    this.plot.setData([[], []])
  }

  add(step: number, loss: number): void {
    this.steps.push(step)
    this.losses.push(loss)
    if (this.pending) return
    this.pending = true
    requestAnimationFrame(() => {
      this.pending = false
      this.plot.setData([this.steps, this.losses])
    })
  }

  resize(width: number): void {
    this.plot.setSize({ width: Math.max(300, width), height: 300 })
  }
}
