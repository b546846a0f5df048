/** Stand-ins for the OpenTelemetry packages the upstream file imports (only its tracing tests use them; they are not run). */
export class AsyncHooksContextManager {
  enable() {
    return this;
  }
}
export class W3CTraceContextPropagator {}
export class NodeTracerProvider {
  register() {}
  getTracer() {
    return { startActiveSpan: () => undefined };
  }
}
export const context = { setGlobalContextManager: () => undefined, active: () => undefined };
export const propagation = { setGlobalPropagator: () => undefined };
export const trace = { getTracer: () => ({ startActiveSpan: () => undefined }) };
