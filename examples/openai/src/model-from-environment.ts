import { OpenAIModel } from '@agent/openai'

/**
 * The model the examples run on: `OPENAI_MODEL` (default gpt-4.1-mini) on OpenAI, or on any
 * OpenAI-compatible server when `OPENAI_BASE_URL` is set (Ollama: http://localhost:11434/v1,
 * vLLM: http://localhost:8000/v1). The `openai` client reads `OPENAI_API_KEY` and `OPENAI_BASE_URL` itself.
 */
export function modelFromEnvironment(): OpenAIModel {
  if (!process.env.OPENAI_API_KEY) {
    console.error(
      'Set OPENAI_API_KEY (and OPENAI_BASE_URL / OPENAI_MODEL for a compatible server; local servers accept any key, e.g. OPENAI_API_KEY=ollama).',
    )
    process.exit(2)
  }
  return new OpenAIModel({ modelId: process.env.OPENAI_MODEL || 'gpt-4.1-mini' })
}
