import { type Histogram, type MeterProvider, metrics } from '@opentelemetry/api'
import { metricName } from './semantic-conventions.js'

export type MeterProviderOption = MeterProvider

export interface ClientMetrics {
  tokenUsage: Histogram
  operationDuration: Histogram
  timeToFirstChunk: Histogram
}

// Bucket boundaries the GenAI conventions advise for these histograms.
const tokenBuckets = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
]
const secondBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]

/** The GenAI client histograms. Instruments of the API's no-op meter (no provider registered) cost nothing. */
export function createClientMetrics(name: string, provider: MeterProvider | undefined): ClientMetrics {
  const meter = (provider ?? metrics.getMeterProvider()).getMeter(name)
  return {
    tokenUsage: meter.createHistogram(metricName.tokenUsage, {
      description: 'Input and output tokens per model call',
      unit: '{token}',
      advice: { explicitBucketBoundaries: tokenBuckets },
    }),
    operationDuration: meter.createHistogram(metricName.operationDuration, {
      description: 'Duration of model calls (chat) and tool calls (execute_tool)',
      unit: 's',
      advice: { explicitBucketBoundaries: secondBuckets },
    }),
    timeToFirstChunk: meter.createHistogram(metricName.timeToFirstChunk, {
      description: 'Time from the model request to its first streamed chunk',
      unit: 's',
      advice: { explicitBucketBoundaries: secondBuckets },
    }),
  }
}
