/**
 * The align baseline: a minimal pass-through route that sends the question to the same upstream with
 * the same `openai` SDK (streamed, as pluralign's generator does; SDK retries off) and answers with the
 * collected text. No profile, no SCM, no explanation, no validation beyond JSON parsing.
 *
 * `POST /v1/passthrough-same-bytes` is the same route moving pluralign's bytes (a diagnostic): it sends
 * the messages of BENCH_MESSAGES_FILE (the conditioning pluralign sends for the bench's question) and
 * answers the object of BENCH_ECHO_FILE (pluralign's response) with the collected text as `answer`,
 * serialized per request. What remains between it and pluralign is pluralign's own work.
 */
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import OpenAI from 'openai';
import { serveIpc } from './ipc.js';

const client = new OpenAI({
  baseURL: process.env.OPENAI_BASE_URL,
  apiKey: process.env.OPENAI_API_KEY || 'sk-no-key-required',
  maxRetries: 0,
});
const model = process.env.OPENAI_MODEL ?? 'bench-model';
const read = (name: string): unknown =>
  process.env[name] ? JSON.parse(readFileSync(process.env[name], 'utf8')) : undefined;
const messages = read('BENCH_MESSAGES_FILE') as
  OpenAI.Chat.Completions.ChatCompletionMessageParam[] | undefined;
const echo = (read('BENCH_ECHO_FILE') ?? {}) as Record<string, unknown>;

async function ask(conversation: OpenAI.Chat.Completions.ChatCompletionMessageParam[]) {
  const stream = await client.chat.completions.create({
    model,
    messages: conversation,
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
}

const app = Fastify({ logger: false });
app.post('/v1/passthrough', async (request) => {
  const { question } = request.body as { question: string };
  return ask([{ role: 'user', content: question }]);
});
app.post('/v1/passthrough-same-bytes', async () => {
  const { answer } = await ask(messages ?? []);
  return { ...echo, answer };
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
serveIpc(typeof address === 'object' && address ? address.port : 0, () => app.close());
