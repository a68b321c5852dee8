/** Credential shapes that error messages carry, each with what replaces it. */
const credentialPatterns: [RegExp, string][] = [
  // OpenAI echoes a masked key back ("Incorrect API key provided: sk-…1234."): even the masked form goes.
  [/(api key provided:\s*)[^\s.,;]+/gi, '$1[redacted]'],
  [/\b(?:sk|rk|pk)-[A-Za-z0-9_*-]{6,}/g, '[redacted]'],
  // AWS access key ids.
  [/\b(?:AKIA|ASIA)[0-9A-Z]{12,}/g, '[redacted]'],
  [/\b(?:Bearer|Basic)\s+[A-Za-z0-9._~+/=*-]+/gi, '[redacted]'],
  [
    /\b(api[_-]?key|x-api-key|authorization|secret|password|token)(["']?\s*[:=]\s*["']?)[^\s"',;]+/gi,
    '$1$2[redacted]',
  ],
]

/**
 * Removes what looks like a credential from a message: API keys, AWS key ids, bearer and basic tokens,
 * `key=value` secrets. For every message that may leave the process (errors, logs, HTTP answers).
 */
export function redactCredentials(message: string): string {
  let safe = message
  for (const [pattern, replacement] of credentialPatterns) safe = safe.replace(pattern, replacement)
  return safe
}
