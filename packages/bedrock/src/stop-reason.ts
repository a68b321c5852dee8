import { ModelError, type StopReason } from '@agent/core'

/** Bedrock's stop reason in ours. Bedrock has a few that mean the answer cannot be used as it is. */
export function mapStopReason(stopReason: string | undefined): StopReason {
  switch (stopReason) {
    case 'end_turn':
    case 'tool_use':
    case 'max_tokens':
    case 'stop_sequence':
    case 'content_filtered':
    case 'guardrail_intervened':
      return stopReason
    case 'model_context_window_exceeded':
      // The answer was cut off where the context window ended: the same situation as an output limit.
      return 'max_tokens'
    case 'malformed_model_output':
    case 'malformed_tool_use':
      throw new ModelError(
        `Bedrock stopped the answer because the model produced ${stopReason === 'malformed_tool_use' ? 'a malformed tool call' : 'malformed output'} (${stopReason}). Trying again usually helps.`,
        { retryable: true },
      )
    default:
      // Unknown (newer) reasons: treat as a normal end so the answer is kept.
      return 'end_turn'
  }
}
