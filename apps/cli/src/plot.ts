/** A line chart as SVG text: one series per name, y on a log scale, x at the given categories. */
export interface Series {
  readonly name: string
  /** Points per x category: every value is drawn as a dot, the median joined by a line. */
  readonly points: readonly (readonly number[])[]
}

const palette = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf']

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

export function logPlot(options: {
  title: string
  xLabel: string
  yLabel: string
  xs: readonly number[]
  series: readonly Series[]
  /** Horizontal reference lines. */
  rules: readonly { y: number; label: string }[]
  yRange: readonly [number, number]
}): string {
  const width = 720
  const height = 440
  const left = 70
  const right = 170
  const top = 40
  const bottom = 50
  const plotW = width - left - right
  const plotH = height - top - bottom
  const [lo, hi] = options.yRange.map(Math.log10) as [number, number]
  const y = (v: number) =>
    top + plotH * (1 - (Math.log10(Math.min(Math.max(v, 10 ** lo), 10 ** hi)) - lo) / (hi - lo))
  const x = (i: number) =>
    left + (options.xs.length === 1 ? plotW / 2 : (plotW * i) / (options.xs.length - 1))
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left + plotW / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(options.title)}</text>`,
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  ]
  for (let e = Math.ceil(lo); e <= Math.floor(hi); e++)
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${y(10 ** e) + 4}" text-anchor="end">1e${e}</text>`,
    )
  options.xs.forEach((v, i) =>
    out.push(`<text x="${x(i)}" y="${top + plotH + 18}" text-anchor="middle">${v}</text>`),
  )
  out.push(
    `<text x="${left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
  )
  for (const rule of options.rules)
    out.push(
      `<line x1="${left}" x2="${left + plotW}" y1="${y(rule.y)}" y2="${y(rule.y)}" stroke="#666" stroke-dasharray="5 4"/>`,
      `<text x="${left + 4}" y="${y(rule.y) - 4}" fill="#666">${escapeXml(rule.label)}</text>`,
    )
  options.series.forEach((s, k) => {
    const color = palette[k % palette.length]!
    const path = s.points
      .map((ps, i) => (ps.length ? `${x(i)},${y(median(ps))}` : ''))
      .filter(Boolean)
      .join(' ')
    out.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`)
    s.points.forEach((ps, i) =>
      ps.forEach((v, j) =>
        out.push(
          `<circle cx="${x(i) + (j - (ps.length - 1) / 2) * 4}" cy="${y(v)}" r="3" fill="${color}" fill-opacity="0.6"/>`,
        ),
      ),
    )
    const ly = top + 14 + 18 * k
    out.push(
      `<line x1="${left + plotW + 14}" x2="${left + plotW + 38}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${left + plotW + 44}" y="${ly + 4}">${escapeXml(s.name)}</text>`,
    )
  })
  out.push('</svg>')
  return `${out.join('\n')}\n`
}
