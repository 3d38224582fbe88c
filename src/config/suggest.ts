// "Did you mean ...?": the closest known keyword by edit distance. Pure and bounded.

export function editDistance (a: string, b: string, cap = 8): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
      cur.push(v)
      if (v < rowMin) rowMin = v
    }
    if (rowMin > cap) return cap + 1
    prev = cur
  }
  return prev[b.length]
}

/** Closest candidate within a distance that scales with the word's length, or undefined. */
export function closest (word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > 64) return undefined
  const lower = word.toLowerCase()
  const limit = Math.max(1, Math.min(4, Math.floor(word.length / 3)))
  let best: string | undefined
  let bestD = limit + 1
  for (const c of candidates) {
    const d = editDistance(lower, c.toLowerCase(), limit)
    if (d < bestD || (d === bestD && best !== undefined && c < best)) { best = c; bestD = d }
  }
  return bestD <= limit ? best : undefined
}
