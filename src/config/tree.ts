// Builds the statement tree of a keepalived.conf from lexed lines: a statement is the words of a
// line up to a newline, `{` or `}`; a `{` opens the block of the statement before it (on the same
// or a previous line). Reports unbalanced braces and keeps going. Knows no keywords itself: the
// caller's BlockRules say which `{` keepalived honours.
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
  /**
   * A `{` after this statement that keepalived ignores (unknown keyword, or a keyword without a
   * block): the lines after it stay in the enclosing block, and the next `}` closes that block.
   */
  ignoredOpen?: Token
  /** For a statement with an ignored `{`: the `}` that then closed the enclosing block. */
  enclosingClose?: Token
}

/**
 * Which `{` open a block, as keepalived 2.2.7 reads them. KEEPALIVED: a `{` after a keyword that
 * is unknown in the current block, or that takes no block, is reported ("Unexpected '{' -
 * ignoring") and skipped; the lines after it belong to the current block, and the next `}`
 * closes the current block.
 */
export interface BlockRules<S> {
  root: S
  /** The scope of the block that `keyword` opens inside `scope`, or undefined when keepalived ignores the `{`. */
  enter: (scope: S, keyword: string) => S | undefined
}

/** Without rules every `{` opens a block (used for grammar-free tests). */
const OPEN_ALL: BlockRules<null> = { root: null, enter: () => null }

interface Frame<S> { body: Statement[], owner: Statement | undefined, scope: S, ignored: Statement[] }

export function buildTree<S = null> (lines: SourceLine[], diagnostics: DiagnosticSink, rules?: BlockRules<S>): Statement[] {
  const r = (rules ?? OPEN_ALL) as BlockRules<S>
  const root: Statement[] = []
  const stack: Array<Frame<S>> = [{ body: root, owner: undefined, scope: r.root, ignored: [] }]
  const top = (): Frame<S> => stack[stack.length - 1]
  let lastOnPreviousLine: Statement | undefined
  /** Each ignored `{` leaves one `}` over; the oldest unexplained one is blamed first. */
  const unexplained: Statement[] = []
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
          if (candidate !== undefined && candidate.block === undefined && candidate.ignoredOpen === undefined &&
            top().body[top().body.length - 1] === candidate) owner = candidate
        }
        lastThisLine = undefined
        if (owner === undefined) {
          // KEEPALIVED: "Unexpected '{' - ignoring"; its `}` then closes the enclosing block.
          diagnostics.error({ code: 'unexpected-block', message: "'{' without a keyword before it; keepalived ignores it, so the next '}' closes the enclosing block", at: tok, text: '{', expected: 'a keyword such as vrrp_instance NAME before {' })
          continue
        }
        const scope = r.enter(top().scope, owner.keyword.text)
        if (scope === undefined) {
          owner.ignoredOpen = tok
          top().ignored.push(owner)
          unexplained.push(owner)
          continue
        }
        owner.block = []
        owner.open = tok
        stack.push({ body: owner.block, owner, scope, ignored: [] })
        continue
      }
      flush(tok.offset)
      if (stack.length === 1) {
        const cause = unexplained.shift()
        const why = cause?.ignoredOpen === undefined
          ? ''
          : `; keepalived ignored the '{' at ${cause.ignoredOpen.line}:${cause.ignoredOpen.column} after '${cause.keyword.text}', so the braces after it pair up differently and this one is left over`
        diagnostics.error({ code: 'unmatched-close-brace', message: `'}' closes no open block (keepalived: "Unknown keyword '}'")${why}`, at: tok, text: '}', expected: 'a matching {' })
      } else {
        const frame = stack.pop()!
        for (const s of frame.ignored) s.enclosingClose = tok
        lastThisLine = frame.owner
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
