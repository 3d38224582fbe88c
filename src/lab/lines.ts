// Splits a child's output stream into whole lines (a partial line waits for the rest).
import type { Readable } from 'node:stream'

export function onLines (stream: Readable | null | undefined, handle: (line: string) => void): void {
  let partial = ''
  stream?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n')
    partial = lines.pop() ?? ''
    for (const line of lines) handle(line)
  })
}
