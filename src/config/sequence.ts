// Parser for keepalived's ~SEQ(var, [start,] [step,] end), ~SEQx(...) and ~LST(var|{v1,v2}, ...)
// line prefixes: returns the variable bindings to repeat the rest of the line with. Pure; output
// bounded to MAX_ITERATIONS bindings.

const MAX_ITERATIONS = 1_000_000

export type SequenceResult =
  | { ok: true, vars: string[], bindings: string[][], rest: string }
  | { ok: false, message: string }

export function expandSequence (line: string): SequenceResult {
  const m = /^~(SEQx?|LST)\(/.exec(line)
  if (m === null) return { ok: false, message: 'expected ~SEQ(, ~SEQx( or ~LST(' }
  const close = findClose(line, m[0].length - 1)
  if (close < 0) return { ok: false, message: `${m[1]}( has no closing parenthesis` }
  const inner = line.slice(m[0].length, close)
  const rest = line.slice(close + 1).trimStart()
  return m[1] === 'LST' ? list(inner, rest) : seq(inner, rest, m[1] === 'SEQx')
}

function findClose (s: string, open: number): number {
  let depth = 0
  for (let i = open; i < s.length; i++) {
    if (s[i] === '(') depth++
    else if (s[i] === ')' && --depth === 0) return i
  }
  return -1
}

function seq (inner: string, rest: string, hex: boolean): SequenceResult {
  const parts = inner.split(',').map((s) => s.trim())
  const name = parts.shift() ?? ''
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return { ok: false, message: `invalid ~SEQ variable name '${name}'` }
  const nums = parts.map((p) => Number(p))
  if (nums.length < 1 || nums.length > 3 || nums.some((n) => !Number.isInteger(n))) {
    return { ok: false, message: '~SEQ needs a variable and 1 to 3 integers (start, step, end)' }
  }
  const end = nums[nums.length - 1]
  const start = nums.length >= 2 ? nums[0] : (end >= 0 ? 1 : -1)
  const step = nums.length === 3 ? nums[1] : (end >= start ? 1 : -1)
  if (step === 0) return { ok: false, message: '~SEQ step must not be 0' }
  const count = Math.floor((end - start) / step) + 1
  if (count > MAX_ITERATIONS) return { ok: false, message: `~SEQ would repeat ${count} times (limit ${MAX_ITERATIONS})` }
  const bindings: string[][] = []
  for (let v = start; step > 0 ? v <= end : v >= end; v += step) bindings.push([hex ? v.toString(16) : String(v)])
  return { ok: true, vars: [name], bindings, rest }
}

function list (inner: string, rest: string): SequenceResult {
  const groups = splitGroups(inner)
  const head = groups.shift()
  if (head === undefined || groups.length === 0) return { ok: false, message: '~LST needs a variable and at least one value' }
  const vars = head
  if (vars.some((v) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v))) return { ok: false, message: `invalid ~LST variable name in '${vars.join(',')}'` }
  if (groups.some((g) => g.length !== vars.length)) return { ok: false, message: `each ~LST value must give ${vars.length} value(s)` }
  return { ok: true, vars, bindings: groups, rest }
}

/** `{a, b}, {1,2}, 3` -> [[a,b],[1,2],[3]] */
function splitGroups (s: string): string[][] {
  const out: string[][] = []
  const re = /\s*(?:\{([^}]*)\}|([^,{}]+))\s*(?:,|$)/y
  let m: RegExpExecArray | null
  while (re.lastIndex < s.length && (m = re.exec(s)) !== null) {
    out.push(m[1] !== undefined ? m[1].split(',').map((x) => x.trim()) : [m[2].trim()])
    if (m[0] === '') break
  }
  return out
}
