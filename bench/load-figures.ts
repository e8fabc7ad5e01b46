import type autocannon from 'autocannon';

/** What the HTTP benches report of an autocannon run: rate, latencies, errors and status codes. */
export function loadFigures(result: autocannon.Result) {
  return {
    rps: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    max_ms: result.latency.max,
    errors: result.errors,
    status_codes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, s]) => [code, (s as { count: number }).count])),
  };
}
