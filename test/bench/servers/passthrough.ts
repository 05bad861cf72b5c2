/**
 * The align baseline: a minimal pass-through route that sends the question to the same upstream with
 * the same `openai` SDK (streamed, as pluralign's generator does; SDK retries off) and answers with the
 * collected text. No profile, no SCM, no explanation, no validation beyond JSON parsing.
 */
import Fastify from 'fastify';
import OpenAI from 'openai';
import { serveIpc } from './ipc.js';

const client = new OpenAI({
  baseURL: process.env.OPENAI_BASE_URL,
  apiKey: process.env.OPENAI_API_KEY || 'sk-no-key-required',
  maxRetries: 0,
});
const model = process.env.OPENAI_MODEL ?? 'bench-model';

const app = Fastify({ logger: false });
app.post('/v1/passthrough', async (request) => {
  const { question } = request.body as { question: string };
  const stream = await client.chat.completions.create({
    model,
    messages: [{ role: 'user', content: question }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let answer = '';
  let served = model;
  for await (const chunk of stream) {
    served = chunk.model || served;
    answer += chunk.choices[0]?.delta?.content ?? '';
  }
  return { answer, model: served };
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
serveIpc(typeof address === 'object' && address ? address.port : 0, () => app.close());
