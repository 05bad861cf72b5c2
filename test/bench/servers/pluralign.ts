/** The pluralign service as a benchmark server: the real app (buildApp) configured from the environment. */
import { loadConfig } from '../../../src/config/index.js';
import { buildApp } from '../../../src/http/app.js';
import { serveIpc } from './ipc.js';

const app = await buildApp(loadConfig(process.env));
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
serveIpc(typeof address === 'object' && address ? address.port : 0, () => app.close());
