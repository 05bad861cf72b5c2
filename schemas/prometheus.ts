/** The response of `GET /metrics`: Prometheus text exposition format (version 0.0.4). */
import { z } from 'zod';

export const EXAMPLE_METRICS = `# HELP pluralign_http_requests_total HTTP requests answered, by method, route pattern and status code.
# TYPE pluralign_http_requests_total counter
pluralign_http_requests_total{method="POST",route="/v1/align",status="200"} 12
pluralign_http_requests_total{method="GET",route="/v1/graphs/:id",status="404"} 1
# HELP pluralign_upstream_attempts_total Upstream attempts made by generator calls (1 per call without retry; 0 when the breaker refused the call).
# TYPE pluralign_upstream_attempts_total counter
pluralign_upstream_attempts_total{generator="openai",upstream="openai:127.0.0.1:11434/v1"} 13
# HELP pluralign_upstream_breaker_state Circuit breaker state per upstream: 1 for the current state (closed, open or half_open), 0 for the others.
# TYPE pluralign_upstream_breaker_state gauge
pluralign_upstream_breaker_state{upstream="openai:127.0.0.1:11434/v1",state="closed"} 1
pluralign_upstream_breaker_state{upstream="openai:127.0.0.1:11434/v1",state="open"} 0
pluralign_upstream_breaker_state{upstream="openai:127.0.0.1:11434/v1",state="half_open"} 0
`;

export const MetricsResponse = {
  description:
    'The metrics in Prometheus text format: requests and latency by route and status, upstream calls, attempts, retries and breaker state, counterfactual engine time, the generators in use, process metrics.',
  content: {
    'text/plain': {
      schema: z
        .string()
        .describe('Prometheus text exposition format, version 0.0.4 (UTF-8).')
        .meta({ 'x-examples': { example: { summary: 'An excerpt', value: EXAMPLE_METRICS } } }),
    },
  },
};
