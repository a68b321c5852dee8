import { ProxyTracerProvider, type TracerProvider } from '@opentelemetry/api'

/**
 * False while no tracer provider is registered, so that an app without tracing pays for no span objects
 * at all (the API's no-op tracer would still allocate one per call). Checked per invocation: a provider
 * registered later is picked up by the next run.
 */
export function isTracingEnabled(provider: TracerProvider, name: string): boolean {
  if (!(provider instanceof ProxyTracerProvider)) return true
  return provider.getDelegateTracer(name) !== undefined
}
