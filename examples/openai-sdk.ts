/**
 * A backend that talks to pluralign through the official OpenAI SDK: pluralign's
 * POST /v1/chat/completions is OpenAI-compatible, and the value profile travels in the extension field
 * `value_profile` (the SDK sends unknown body fields as they are). The answer comes back as an
 * ordinary chat completion; the headers say which model served it and how many upstream attempts it took.
 *
 *   npx tsx examples/openai-sdk.ts http://127.0.0.1:8080 "Should I lend money to my brother?"
 *   PLURALIGN_URL=… PLURALIGN_KEY=… npx tsx examples/openai-sdk.ts --stream
 *
 * Base URL: first argument, else PLURALIGN_URL, else http://127.0.0.1:8080 (the SDK gets `<base>/v1`);
 * API key (scope `align`): PLURALIGN_KEY (any string when the server has no keys).
 */
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';

/** pluralign's extension of the request body (see the API reference: ValueProfileExtension). */
export interface ValueProfile {
  target: {
    format?: 'likert5' | 'pvq6' | 'centered' | 'ranking';
    values?: Record<string, number>;
    ranking?: string[];
  };
  graph?: string;
  factual?: { preset?: string };
  verify?: boolean;
}

/** A care-first profile: benevolence and security high, stimulation and power low (likert5). */
export const CARING: ValueProfile = {
  target: { format: 'likert5', values: { benevolence: 5, security: 4, stimulation: 1, power: 1 } },
  verify: true,
};

export function client(base: string, apiKey?: string): OpenAI {
  return new OpenAI({ baseURL: `${base.replace(/\/$/, '')}/v1`, apiKey: apiKey ?? 'no-key', maxRetries: 0 });
}

/** One answer steered to `profile`, with what served it. */
export async function ask(
  openai: OpenAI,
  question: string,
  profile: ValueProfile = CARING,
): Promise<{ text: string; model: string; finishReason: string | null; servedModel: string | null }> {
  const params: ChatCompletionCreateParamsNonStreaming & { value_profile: ValueProfile } = {
    model: 'pluralign',
    messages: [{ role: 'user', content: question }],
    value_profile: profile,
  };
  const { data, response } = await openai.chat.completions.create(params).withResponse();
  const choice = data.choices[0]!;
  return {
    text: choice.message.content ?? '',
    model: data.model,
    finishReason: choice.finish_reason,
    servedModel: response.headers.get('x-served-model'),
  };
}

/** The same, streamed: yields the text as it arrives. */
export async function* askStream(
  openai: OpenAI,
  question: string,
  profile: ValueProfile = CARING,
): AsyncGenerator<string> {
  const stream = await openai.chat.completions.create({
    model: 'pluralign',
    messages: [{ role: 'user', content: question }],
    stream: true,
    value_profile: profile,
  } as OpenAI.Chat.ChatCompletionCreateParamsStreaming & { value_profile: ValueProfile });
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta?.content;
    if (delta) yield delta;
  }
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) {
  const args = process.argv.slice(2);
  const stream = args.includes('--stream');
  const [
    base = process.env.PLURALIGN_URL ?? 'http://127.0.0.1:8080',
    question = 'Should I lend money to my brother who keeps losing his jobs?',
  ] = args.filter((a) => !a.startsWith('--'));
  const openai = client(base, process.env.PLURALIGN_KEY);
  const done = stream
    ? (async () => {
        for await (const text of askStream(openai, question)) process.stdout.write(text);
        process.stdout.write('\n');
      })()
    : ask(openai, question).then((r) => {
        console.log(r.text);
        console.log(
          `\n— model ${r.model}, served by ${r.servedModel ?? '?'}, finish ${r.finishReason ?? '?'}`,
        );
      });
  done.catch((err: unknown) => {
    console.error(`openai-sdk: ${(err as Error).message} (is pluralign running at ${base}?)`);
    process.exitCode = 1;
  });
}
