/**
 * The benchmark servers' side of the IPC channel with the bench runner: announce the port, answer
 * CPU-time samples and memory samples (after a full GC when the process runs with --expose-gc), stop cleanly on request
 * (so `--cpu-prof` profiles are written), and exit when the runner disappears.
 */
export type BenchMessage = { type: 'memory'; id: number } | { type: 'cpu'; id: number } | { type: 'stop' };

export function serveIpc(port: number, close: () => Promise<void>): void {
  if (!process.send) throw new Error('a benchmark server runs as a forked child (IPC channel missing)');
  process.on('message', (msg: BenchMessage) => {
    if (msg.type === 'cpu') {
      const u = process.cpuUsage();
      process.send!({ type: 'cpu', id: msg.id, micros: u.user + u.system });
    } else if (msg.type === 'memory') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (!gc) {
        process.send!({ type: 'memory', id: msg.id, gc: false, ...process.memoryUsage() });
        return;
      }
      // Full GCs, a pause for V8's background sweeping and unmapping, and a last GC: RSS then
      // reflects live memory rather than garbage not yet returned.
      gc();
      gc();
      setTimeout(() => {
        gc();
        process.send!({ type: 'memory', id: msg.id, gc: true, ...process.memoryUsage() });
      }, 500);
    } else if (msg.type === 'stop') {
      close().finally(() => process.exit(0));
    }
  });
  process.on('SIGTERM', () => {
    close().finally(() => process.exit(0));
  });
  // The runner went away (crashed, killed): do not outlive it.
  process.on('disconnect', () => {
    close().finally(() => process.exit(0));
  });
  process.send({ type: 'ready', port });
}
