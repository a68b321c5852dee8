/** What a loopback model reads from a request, whatever the provider's wire format. */
export interface ConversationView {
  /** The text of the last user message that was typed (not a tool result). */
  question: string
  /** Whether the request offers a tool named `calculator`. */
  offersCalculator: boolean
  /** Set when the request ends with a tool result: its text and the expression the call asked for. */
  toolResult?: { text: string; expression: string | undefined }
}

/** The next assistant turn: one calculator call, or an answer. */
export type ArithmeticTurn = { calculate: string } | { text: string }

const arithmetic = /\d+(?:\.\d+)?(?:\s*[-+*/^]\s*\(?\d+(?:\.\d+)?\)?)+/
const numeric = /^-?(?:\d|Infinity|NaN)/

/**
 * How the loopback servers behave like a model: arithmetic in the question goes to the calculator, and its
 * result comes back as the answer. Deterministic, so that tests can assert what an example prints.
 */
export function arithmeticTurn(view: ConversationView): ArithmeticTurn {
  if (view.toolResult !== undefined) {
    const { text, expression } = view.toolResult
    const value = text.split('\n')[0]!.trim()
    return numeric.test(value)
      ? { text: `${expression} = ${value}` }
      : { text: `The calculator could not work out ${expression}: ${text}` }
  }
  const expression = arithmetic.exec(view.question)?.[0]
  if (expression !== undefined && view.offersCalculator) return { calculate: expression }
  return { text: 'This loopback model only does arithmetic, with a calculator tool.' }
}

/** An answer cut into word-sized deltas, as a model streams it. */
export function words(text: string): string[] {
  return text.match(/\S+\s*/g) ?? [text]
}
