// Warnings for quoting that keepalived 2.2.7 reads differently from what users expect, on
// keywords with ordinary quoting (lexer.ts): single quotes kept as characters, backslashes kept
// inside "...", and a " inside a word splitting it. keepalived's result is kept; the warning says
// what keepalived will use. Script keywords (scriptQuoting) are not checked: quotes work there.
import type { Statement } from '../tree.js'
import type { Token } from '../lexer.js'
import { locOf, type ApplyContext } from './spec.js'
import { utf8Length } from '../values.js'

export function warnLiteralQuoting (stmt: Statement, ctx: ApplyContext): void {
  const kw = stmt.keyword.text
  const value = kw === 'auth_pass' ? 'the password' : `the value of ${kw}`
  let prev: Token = stmt.keyword
  for (const tok of stmt.args) {
    const glued = tok.offset === prev.end
    prev = tok
    if (glued) {
      ctx.diagnostics.warning({
        code: 'literal-quote',
        message: `a " inside a word splits it: keepalived reads ${stmt.args.map((a) => `'${a.text}'`).join(', ')} as separate words, and ${kw} uses only the first`,
        at: locOf(tok),
        text: tok.text,
        expected: 'quotes around the whole word, with blanks before and after'
      })
      return
    }
    if (!tok.quoted && tok.text.includes("'")) {
      const used = stmt.args[0]
      ctx.diagnostics.warning({
        code: 'literal-quote',
        message: `single quotes are ordinary characters in keepalived.conf outside scripts: keepalived uses \`${used.text}\` (${utf8Length(used.text)} bytes, quotes included) as ${value}${stmt.args.length > 1 ? ' and ignores the rest' : ''}`,
        at: locOf(tok),
        text: tok.text,
        expected: 'no quotes, or "double quotes" (removed by keepalived)'
      })
      return
    }
    if (tok.quoted && tok.text.includes('\\')) {
      ctx.diagnostics.warning({
        code: 'literal-quote',
        message: `keepalived processes no backslash escapes here: ${value} is \`${tok.text}\` as written (${utf8Length(tok.text)} bytes)`,
        at: locOf(tok),
        text: tok.text,
        expected: 'the literal characters wanted; escapes work only in script keywords'
      })
      return
    }
  }
}
