import type { Config } from '../../config/index.js';
import type { BackendCheck } from '../backends.js';
import type { GraphStore } from '../../graphs/store.js';
import type { AppMetrics } from '../prometheus.js';
import type { ComputePool } from '../../compute/pool.js';

/** Lifecycle flags shared by the hooks and the health routes. */
export interface AppState {
  /** True once every plugin is loaded (graphs included), false again once shutdown starts. */
  ready: boolean;
  /** True once shutdown has started: new requests get 503 SHUTTING_DOWN. */
  closing: boolean;
  startedAt: number;
  /** The shared backends (PostgreSQL, Redis) readiness needs; none in the embedded default. */
  backends?: BackendCheck[];
}

export interface RouteDeps {
  config: Config;
  store: GraphStore;
  state: AppState;
  /** Prometheus metrics of this app (absent when a route plugin is registered alone). */
  metrics?: AppMetrics;
  /** The worker threads of the work budget (counterfactuals, large alignment profiles); absent: the route starts its own. */
  compute?: ComputePool;
}
