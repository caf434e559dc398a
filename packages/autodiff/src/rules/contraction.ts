import { GraphError, matmul as product } from '@cellgraph/graph'
import { outerSum as sumOfOuter } from '../emit.js'
import type { VjpRule } from '../rule.js'

/**
 * y = a·b (or a·bᵀ). da = g·bᵀ (or g·b). For row-valued a, db = Σ_rows aᵀ·g (or gᵀ·a) as an
 * outerSum. For a tensor a, db = aᵀ·g needs a transposed left operand, which the IR lacks.
 */
export const matmul: VjpRule<'matmul'> = {
  saves: { inputs: [0, 1] },
  vjp: (ctx) => {
    const { transposeB } = ctx.attrs
    return [
      () => product(ctx.g, ctx.input(1), !transposeB),
      () => {
        if (ctx.inputTypes[0]!.layout === 'tensor')
          throw new GraphError(
            `node %${ctx.node.id} (matmul): the gradient with respect to b of a product of two tensors ` +
              'needs a transposed left operand, which the IR has no op for',
            ctx.node.id,
            'matmul',
          )
        return transposeB ? sumOfOuter(ctx.g, ctx.input(0)) : sumOfOuter(ctx.input(0), ctx.g)
      },
    ]
  },
}

/** y = Σ_rows aᵀ·b ([M,N]): da = b·gᵀ, db = a·g. */
export const outerSum: VjpRule<'outerSum'> = {
  saves: { inputs: [0, 1] },
  vjp: (ctx) => [() => product(ctx.input(1), ctx.g, true), () => product(ctx.input(0), ctx.g, false)],
}
