/** Both ways a stream is read (Chat Completions and Responses); every stream and error test runs through each. */
export const streamPaths = [
  { path: 'the fast path (response bytes read directly)', useClientStream: false },
  { path: "the openai client's own stream", useClientStream: true },
] as const
