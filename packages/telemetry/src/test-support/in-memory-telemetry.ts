import { context, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'

/**
 * The OpenTelemetry SDK set up as an app would (global tracer provider, async context, W3C propagation),
 * with its own in-memory exporters so that tests read back what was recorded.
 */
export function installInMemoryTelemetry() {
  const spanExporter = new InMemorySpanExporter()
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] })
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
  propagation.setGlobalPropagator(new W3CTraceContextPropagator())
  trace.setGlobalTracerProvider(tracerProvider)
  const metricReader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
    exportIntervalMillis: 3_600_000,
  })
  const meterProvider = new MeterProvider({ readers: [metricReader] })

  return {
    meterProvider,
    spans: (): ReadableSpan[] => spanExporter.getFinishedSpans(),
    reset: () => spanExporter.reset(),
    /** The data points of one histogram, as `{attributes, count, sum}`. */
    async histogram(name: string) {
      const { resourceMetrics } = await metricReader.collect()
      const metric = resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .find((m) => m.descriptor.name === name)
      return (metric?.dataPoints ?? []).map((point) => ({
        attributes: point.attributes,
        ...(point.value as { count: number; sum: number }),
      }))
    },
  }
}

/** A span's parent span id (the SDK 2 shape). */
export function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId
}

export function named(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.find((span) => span.name === name)
  if (found === undefined)
    throw new Error(`no span "${name}" among ${spans.map((span) => span.name).join(', ')}`)
  return found
}
