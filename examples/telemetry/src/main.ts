// Traces one agent run with a tool turn. By default the spans are printed by the SDK's console exporter;
// with OTEL_EXPORTER_OTLP_ENDPOINT set (e.g. http://localhost:4318) they go to that collector over OTLP/HTTP.

import { calculator } from '@agent/calculator'
import { Agent } from '@agent/core'
import { instrumentAgents } from '@agent/telemetry'
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base'
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node'

const toCollector = (process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '') !== ''
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'agent-telemetry-example' }),
  spanProcessors: [
    toCollector
      ? new BatchSpanProcessor(new OTLPTraceExporter()) // reads OTEL_EXPORTER_OTLP_ENDPOINT
      : new SimpleSpanProcessor(new ConsoleSpanExporter()),
  ],
})
provider.register()
instrumentAgents({ captureContent: process.env.CAPTURE_CONTENT === '1' })

const agent = new Agent({ name: 'calculator-agent', tools: [calculator], callbackHandler: null })
try {
  const result = await agent.invoke('Calculate 2+2')
  console.error(`answer: ${String(result)}`)
} finally {
  await agent.close()
  // Flushes the batch to the collector before the process exits.
  await provider.shutdown()
}
