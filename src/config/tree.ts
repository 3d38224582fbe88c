// Builds the statement tree of a keepalived.conf from lexed lines: a statement is the words of a
// line up to a newline, `{` or `}`; a `{` opens the block of the statement before it (on the same
// or a previous line). Reports unbalanced braces and keeps going. Knows no keywords.
import type { DiagnosticSink } from './diagnostics.js'
import { tokenizeLine, type Token } from './lexer.js'
import type { SourceLine } from './preprocess.js'

export interface Statement {
  keyword: Token
  args: Token[]
  /** Child statements when the statement has a `{ ... }` block, otherwise undefined. */
  block: Statement[] | undefined
  open: Token | undefined
  /**
   * The statement's text as written, from the keyword to the `{`, `}` or end of line that ends
   * it: script keywords re-read it with keepalived's shell-like rules (lexer.ts).
   */
  raw: string
}

export function buildTree (lines: SourceLine[], diagnostics: DiagnosticSink): Statement[] {
  const root: Statement[] = []
  const stack: Array<{ body: Statement[], owner: Statement | undefined }> = [{ body: root, owner: undefined }]
  const top = (): { body: Statement[], owner: Statement | undefined } => stack[stack.length - 1]
  let lastOnPreviousLine: Statement | undefined
  for (const line of lines) {
    const tokens = tokenizeLine(line, diagnostics)
    let words: Token[] = []
    let lastThisLine: Statement | undefined
    const flush = (end = line.text.length): Statement | undefined => {
      if (words.length === 0) return undefined
      const raw = line.text.slice(words[0].offset, end).trimEnd()
      const stmt: Statement = { keyword: words[0], args: words.slice(1), block: undefined, open: undefined, raw }
      top().body.push(stmt)
      words = []
      lastThisLine = stmt
      return stmt
    }
    for (const tok of tokens) {
      if (tok.kind === 'word') { words.push(tok); continue }
      if (tok.kind === 'open') {
        let owner = flush(tok.offset)
        if (owner === undefined) {
          const candidate = lastThisLine ?? lastOnPreviousLine
          if (candidate !== undefined && candidate.block === undefined && top().body[top().body.length - 1] === candidate) owner = candidate
        }
        if (owner === undefined) {
          diagnostics.error({ code: 'unexpected-block', message: "'{' without a keyword before it", at: tok, text: '{', expected: 'a keyword such as vrrp_instance NAME before {' })
          owner = { keyword: { ...tok, kind: 'word', text: '' }, args: [], block: undefined, open: undefined, raw: '' }
        }
        owner.block = []
        owner.open = tok
        stack.push({ body: owner.block, owner })
        lastThisLine = undefined
        continue
      }
      flush(tok.offset)
      if (stack.length === 1) {
        diagnostics.error({ code: 'unmatched-close-brace', message: "'}' closes no open block", at: tok, text: '}', expected: 'a matching {' })
      } else {
        const closed = stack.pop()!.owner
        lastThisLine = closed
      }
    }
    flush()
    if (lastThisLine !== undefined) lastOnPreviousLine = lastThisLine
  }
  while (stack.length > 1) {
    const owner = stack.pop()!.owner!
    const at = owner.open ?? owner.keyword
    diagnostics.error({
      code: 'unclosed-block',
      message: `block '${owner.keyword.text}' opened here is never closed`,
      at,
      text: owner.keyword.text + ' {',
      expected: "a matching '}'"
    })
  }
  return root
}
