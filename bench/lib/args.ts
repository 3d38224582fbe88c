// Command-line options shared by the benches: `--quick` (the short profile), `--reps N` (cycles
// per configuration at fast advert intervals), `--slow-reps N` (at advert_int 1), `--seconds N`
// (capture windows), `--only a,b` (configuration ids), `--scenarios a,b` (failover scenarios to
// keep). Positional words are bench names for
// bench/main.ts and are ignored here.
export interface BenchArgs {
  quick: boolean
  reps: number | undefined
  slowReps: number | undefined
  seconds: number | undefined
  only: string[] | undefined
  scenarios: string[] | undefined
}

export function parseArgs (argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(name)
    return i >= 0 ? argv[i + 1] : undefined
  }
  const number = (name: string): number | undefined => {
    const text = value(name)
    if (text === undefined) return undefined
    const n = Number(text)
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number, not ${text}`)
    return n
  }
  return {
    quick: argv.includes('--quick'),
    reps: number('--reps'),
    slowReps: number('--slow-reps'),
    seconds: number('--seconds'),
    only: value('--only')?.split(',').filter((s) => s !== ''),
    scenarios: value('--scenarios')?.split(',').filter((s) => s !== '')
  }
}
