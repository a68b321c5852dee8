import { execFile } from 'node:child_process'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { promisify } from 'node:util'
import { openAIEnvironment, startArithmeticOpenAI } from '@agent/loopback-providers'
import { expect, it, onTestFinished } from 'vitest'

const run = promisify(execFile)
const offline = {
  ...process.env,
  AGENT_MODEL: '',
  OPENAI_API_KEY: '',
  AWS_ACCESS_KEY_ID: '',
  AWS_PROFILE: '',
}

it('prints the invoke_agent, chat and execute_tool spans with the console exporter', async () => {
  const { stdout, stderr } = await run(process.execPath, ['src/main.ts'], {
    env: { ...offline, OTEL_EXPORTER_OTLP_ENDPOINT: '' },
  })
  expect(stderr).toMatch(/answer: .*4/)
  for (const name of ["'invoke_agent calculator-agent'", "'chat offline'", "'execute_tool calculator'"]) {
    expect(stdout).toContain(`name: ${name}`)
  }
  expect(stdout).toContain("'gen_ai.provider.name': 'offline'")
})

/** A stand-in for an OpenTelemetry collector: takes OTLP/HTTP JSON trace exports and keeps them. */
async function startCollector() {
  const exports: { path: string; contentType: string | undefined; body: any }[] = []
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    exports.push({
      path: request.url ?? '',
      contentType: request.headers['content-type'],
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    })
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { url, exports, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

it('sends the same spans to an OTLP/HTTP collector, one trace, nested', async () => {
  const collector = await startCollector()
  try {
    await run(process.execPath, ['src/main.ts'], {
      env: { ...offline, OTEL_EXPORTER_OTLP_ENDPOINT: collector.url },
    })
    expect(collector.exports.map((item) => item.path)).toContain('/v1/traces')
    const spans = collector.exports
      .flatMap((item) => item.body.resourceSpans)
      .flatMap((resource: any) => resource.scopeSpans)
      .flatMap((scope: any) => scope.spans)
    const byName = new Map(spans.map((span: any) => [span.name, span]))
    const invoke: any = byName.get('invoke_agent calculator-agent')
    const tool: any = byName.get('execute_tool calculator')
    expect(invoke).toBeDefined()
    expect(tool.parentSpanId).toBe(invoke.spanId)
    expect(new Set(spans.map((span: any) => span.traceId)).size).toBe(1)
    const service = collector.exports[0]!.body.resourceSpans[0].resource.attributes
    expect(service).toContainEqual({ key: 'service.name', value: { stringValue: 'agent-telemetry-example' } })
  } finally {
    await collector.close()
  }
})

it('traces the run on OpenAI when OPENAI_API_KEY and OPENAI_BASE_URL point at a loopback server', async () => {
  const server = await startArithmeticOpenAI()
  onTestFinished(() => server.close())
  const { stdout, stderr } = await run(process.execPath, ['src/main.ts'], {
    env: { ...openAIEnvironment(server), OTEL_EXPORTER_OTLP_ENDPOINT: '' },
  })
  expect(stderr).toContain('answer: 2+2 = 4')
  expect(stdout).toContain("name: 'chat gpt-4.1-mini'")
  expect(stdout).toContain("'gen_ai.provider.name': 'openai'")
  expect(server.requests).toHaveLength(2)
})
