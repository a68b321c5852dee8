import { z } from 'zod'
import type { CalculatorLimits } from './calculator-limits.js'
import { allowedConstants, allowedFunctions, identifierPattern } from './engine/allowed-names.js'
import { calculatorModes } from './engine/protocol.js'

const identifierMessage = 'must be an identifier: a letter or "_", then letters, digits or "_" (at most 64)'

const point = z.union([z.number(), z.enum(['Infinity', '-Infinity'])])

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
        .record(z.string(), z.number({ error: 'must be a finite number' }))
        .superRefine((variables, context) => {
          const names = Object.keys(variables)
          if (names.length > limits.maxVariables) {
            context.addIssue({ code: 'custom', message: `at most ${limits.maxVariables} variables` })
          }
          for (const name of names) {
            // zod reports a bad record key only as "Invalid key": say what is wrong with it.
            const problem = !identifierPattern.test(name)
              ? identifierMessage
              : allowedFunctions.has(name) || allowedConstants.has(name)
                ? 'is the name of a built-in function or constant'
                : undefined
            if (problem !== undefined) context.addIssue({ code: 'custom', message: problem, path: [name] })
          }
        })
        .optional()
        .describe('Values for names in the expression, e.g. {"r": 2}. Numbers only.'),
      wrt: z
        .string()
        .regex(identifierPattern, identifierMessage)
        .optional()
        .describe(
          'The variable to differentiate, solve, integrate, expand or take the limit in (default: the only unknown, else x).',
        ),
      point: z
        .union([point, z.tuple([point, point])])
        .optional()
        .describe(
          'derive: where to evaluate; limit: the value approached; series: the center; integrate: [lower, upper].',
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
