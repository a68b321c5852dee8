/** Why a model turn or a whole invocation stopped (snake_case, as on the Bedrock wire and in Strands). */
export type StopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'content_filtered'
  | 'guardrail_intervened'
  | 'cancelled'
  | 'max_cycles'
  /** The invocation used its `maxTokens.total` budget. */
  | 'max_total_tokens'
  /** The invocation used its `maxTokens.output` budget. */
  | 'max_output_tokens'
  /** A hook or a tool asked a person (`result.interrupts`); resume with `interruptResponse` blocks. */
  | 'interrupt'
