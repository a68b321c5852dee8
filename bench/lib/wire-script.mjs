// What the loopback model server answers, shared with the clients so they can check what they received.

/** The text deltas cycle through these tokens (OpenAI-like sizes: 1 to 8 characters). */
export const tokens = [
  ' The',
  ' quick',
  ' brown',
  ' fox',
  ' jumps',
  ' over',
  ' the',
  ' lazy',
  ' dog',
  '.',
  ' Agents',
  ' stream',
  ' tokens',
  ' fast',
  ',',
  ' ok',
]

const cycleLength = tokens.reduce((sum, token) => sum + token.length, 0)

/** Length of the answer text made of `deltas` deltas. */
export function expectedTextLength(deltas) {
  const whole = Math.floor(deltas / tokens.length)
  let length = whole * cycleLength
  for (let index = 0; index < deltas % tokens.length; index++) length += tokens[index].length
  return length
}

/** The final answer after the tool rounds has this many deltas. */
export const toolScenarioAnswerDeltas = 20

/** Arguments of tool round `round` (0-based), as the server streams them, and the result it expects back. */
export function toolRound(round) {
  return {
    argumentPieces: ['{"a":', ` ${round},`, ' "b":', ' 2}'],
    expectedResult: String(round + 2),
  }
}

/** Model ids carry the script: `text/<deltas>/<tag>` or `tools/<rounds>/<tag>`. */
export function textModelId(deltas, tag) {
  return `text/${deltas}/${tag}`
}

export function toolsModelId(rounds, tag) {
  return `tools/${rounds}/${tag}`
}

export function parseModelId(modelId) {
  const [kind, count, tag] = String(modelId).split('/')
  const number = Number(count)
  if ((kind !== 'text' && kind !== 'tools') || !Number.isSafeInteger(number) || number < 0 || !tag)
    return undefined
  return { kind, count: number, tag }
}
