import type { CellDefinition } from '../dsl/cell.js'
import { coupledLstm } from './coupledLstm.js'
import { gru } from './gru.js'
import { lstm } from './lstm.js'
import { peepholeLstm } from './peepholeLstm.js'
import { rnn } from './rnn.js'
import { seedGru } from './seedGru.js'

export { coupledLstm, gru, lstm, peepholeLstm, rnn, seedGru }

/** The built-in cells by name. */
export const builtinCells: Readonly<Record<string, CellDefinition>> = {
  rnn,
  lstm,
  peephole_lstm: peepholeLstm,
  coupled_lstm: coupledLstm,
  gru,
  seed_gru: seedGru,
}
