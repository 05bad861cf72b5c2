/**
 * The fake OpenAI-compatible upstream (test/fixtures/fake-openai.ts) as a benchmark process: every
 * chat request gets the same answer (BENCH_ANSWER_WORDS words, streamed a word per chunk). Its request
 * log is cleared every second so it does not grow over a long run.
 */
import { startFakeOpenAI } from '../../fixtures/fake-openai.js';
import { serveIpc } from './ipc.js';

const words = Number(process.env.BENCH_ANSWER_WORDS ?? 80);
const vocabulary =
  'people should weigh security and kindness against freedom when they decide what matters most'.split(' ');
const text = `Stance: neutral\n\n${Array.from({ length: Math.max(1, words - 2) }, (_, i) => vocabulary[i % vocabulary.length]).join(' ')}.`;
const fake = await startFakeOpenAI({ defaultScenario: { type: 'ok', text } });
setInterval(() => fake.reset(), 1000).unref();
serveIpc(fake.port, () => fake.close());
