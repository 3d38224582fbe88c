// Which `{` keepalived 2.2.7 honours, derived from the keyword tables: inside a block parsed with
// a table, a `{` opens a block only after a keyword of that table that takes one. Blocks of items
// (addresses, routes, names) have no table; there every `{` is kept and the item parser reports it.
import type { BlockRules } from '../tree.js'
import { isAlias, type KeywordTable } from './spec.js'

/** A table, or 'items' for a block of item lines. */
export type BlockScope = KeywordTable | 'items'

export function blockRules (root: KeywordTable): BlockRules<BlockScope> {
  return {
    root,
    enter: (scope, keyword) => {
      if (scope === 'items') return 'items'
      let spec = Object.prototype.hasOwnProperty.call(scope, keyword) ? scope[keyword] : undefined
      if (spec !== undefined && isAlias(spec)) spec = scope[spec.aliasOf]
      if (spec === undefined || isAlias(spec) || (spec.block ?? 'none') === 'none') return undefined
      return spec.table ?? 'items'
    }
  }
}
