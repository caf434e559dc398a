import {
  crossEntropy,
  div,
  elementCount,
  isRows,
  mul,
  rowCount,
  sub,
  sumAll,
  type Value,
} from '@cellgraph/graph'

/** Mean squared error over every element: a scalar []. */
export function mseLoss(pred: Value, target: Value): Value {
  const diff = sub(pred, target)
  const total = sumAll(mul(diff, diff))
  const t = diff.type
  if (!isRows(t)) return div(total, elementCount(t.shape))
  return div(total, mul(rowCount(diff), t.shape[0]!))
}

/**
 * Softmax cross-entropy of logits ([B,C] or [T,B,C]) against class indices ([B,1] or [T,B,1]),
 * averaged over rows: a scalar []. Computed stably from the logits (logsumexp); its gradient is
 * softmax(logits) − onehot(target), scaled by the cotangent.
 */
export function crossEntropyLoss(logits: Value, targets: Value): Value {
  return div(sumAll(crossEntropy(logits, targets)), rowCount(logits))
}
