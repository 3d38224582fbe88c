// Small statistics helpers for the benches: percentiles and summaries of samples. Pure.

export interface Summary {
  n: number
  min: number
  p50: number
  p90: number
  p99: number
  max: number
  mean: number
}

export function percentile (sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[index]
}

export function summarize (samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b)
  const mean = sorted.reduce((s, x) => s + x, 0) / (sorted.length || 1)
  return {
    n: sorted.length,
    min: sorted[0] ?? NaN,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    mean
  }
}

/** Gaps between consecutive timestamps. */
export function intervals (timestamps: readonly number[]): number[] {
  const out: number[] = []
  for (let i = 1; i < timestamps.length; i++) out.push(timestamps[i] - timestamps[i - 1])
  return out
}
