import { serve } from '@agent/server/node'
import { createApp } from './app.js'

// uvicorn's defaults: 127.0.0.1:8000. PORT / HOST override them.
const running = await serve(createApp(), {
  port: Number(process.env.PORT ?? 8000),
  hostname: process.env.HOST ?? '127.0.0.1',
})
console.log(
  `Streaming agent server on ${running.url} (POST /stream, GET /openapi.json). Ctrl+C stops it gracefully.`,
)
