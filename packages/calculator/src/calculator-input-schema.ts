import { z } from 'zod'
import type { CalculatorLimits } from './calculator-limits.js'
import {
  allowedConstants,
  allowedFunctions,
  forbiddenNames,
  identifierPattern,
} from './engine/allowed-names.js'
import { calculatorModes } from './engine/protocol.js'

const identifierMessage = 'must be an identifier: a letter or "_", then letters, digits or "_" (at most 64)'

const pointForm =
  'a number, an infinity ("oo", "-oo", "Infinity") or an expression with a constant value such as "0" or "pi/2"'
const point = z.union([z.number(), z.string().min(1).max(200)], { error: `must be ${pointForm}` })
const pointOrBounds = z.union([point, z.tuple([point, point])], {
  error: `must be ${pointForm}, or for integrate [lower, upper] such as [0, "pi"]`,
})

/** Why a name cannot be `wrt`, or undefined when it can: only a plain identifier of the user's. */
function wrtProblem(name: string): string | undefined {
  if (!identifierPattern.test(name)) return identifierMessage
  if (forbiddenNames.has(name) || name.startsWith('__'))
    return 'must be a plain name such as x or r, not a reserved JavaScript name'
  return undefined
}

/** Why a name cannot be a variable: a `wrt` problem, or it names a built-in. */
function variableProblem(name: string): string | undefined {
  const problem = wrtProblem(name)
  if (problem !== undefined) return problem
  if (allowedFunctions.has(name) || allowedConstants.has(name))
    return 'is the name of a built-in function or constant'
  return undefined
}

/** The input a model writes. Every field is checked here, before anything reaches the worker. */
export function createCalculatorInputSchema(limits: CalculatorLimits) {
  return z
    .object({
      expression: z
        .string()
        .min(1, 'must not be empty')
        .max(limits.maxExpressionLength, `must be at most ${limits.maxExpressionLength} characters`)
        .describe(
          'The math to do, in mathjs syntax: 2+2, sqrt(2)^2, 5 cm to inch, [1,2;3,4] * [5;6], x^2 - 4 = 0, sin(x)/x.',
        ),
      mode: z
        .enum(calculatorModes, { error: `must be one of ${calculatorModes.join(', ')}` })
        .optional()
        .describe(
          'evaluate (default): numbers, bignumber(), fraction(), complex (2+3i), units, matrices. ' +
            'derive: the order-th derivative, at point if given. ' +
            'solve: equations (use =, separate a system with ;): polynomials exactly, linear systems, other equations numerically. ' +
            'integrate: antiderivative, or with point: [lower, upper] a definite integral. ' +
            'limit: the limit as wrt approaches point (a number, "Infinity" or "-Infinity"). ' +
            'series: Taylor polynomial to order around point (default 0). ' +
            'matrix: det(A), inv(A), eigs(A), solve(A, b), or a square matrix for all of them.',
        ),
      precision: z
        .number()
        .int()
        .min(1)
        .max(64)
        .optional()
        .describe(
          'Significant digits of the answer (default 14; above 15 evaluate uses 64-digit big numbers).',
        ),
      variables: z
        .unknown()
        // Checked on the object as sent: a record parse drops a `__proto__` key without a word.
        .superRefine((variables, context) => {
          if (typeof variables !== 'object' || variables === null || Array.isArray(variables)) return
          const names = Object.keys(variables)
          if (names.length > limits.maxVariables) {
            context.addIssue({ code: 'custom', message: `at most ${limits.maxVariables} variables` })
          }
          for (const name of names) {
            const problem = variableProblem(name)
            if (problem !== undefined) context.addIssue({ code: 'custom', message: problem, path: [name] })
          }
        })
        .pipe(
          z.record(z.string(), z.number({ error: 'must be a finite number' }), {
            error: 'must be an object of names and numbers, e.g. {"r": 2}',
          }),
        )
        .optional()
        .describe('Values for names in the expression, e.g. {"r": 2}. Numbers only.'),
      wrt: z
        .string({ error: 'must be a variable name such as x' })
        .superRefine((name, context) => {
          const problem = wrtProblem(name)
          if (problem !== undefined) context.addIssue({ code: 'custom', message: problem })
        })
        .optional()
        .describe(
          'The variable to differentiate, solve, integrate, expand or take the limit in (default: the only unknown, else x).',
        ),
      point: pointOrBounds
        .optional()
        .describe(
          'derive: where to evaluate; limit: the value approached; series: the center; integrate: [lower, upper]. ' +
            'A number or an expression string: "0", "pi/2", "oo", "-oo"; bounds e.g. [0, "pi"].',
        ),
      order: z
        .number()
        .int()
        .min(1)
        .max(limits.maxOrder)
        .optional()
        .describe(
          `derive: which derivative (default 1); series: the highest power (default 5). At most ${limits.maxOrder}.`,
        ),
    })
    .strict()
}

export type CalculatorToolInput = z.infer<ReturnType<typeof createCalculatorInputSchema>>
