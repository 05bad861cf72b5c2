/**
 * The OpenAI chat request as the steered pipeline reads it: the conversation (system messages apart,
 * the other turns in order), the question (the last user message, at most 8,000 characters like
 * /v1/align's), the fields forwarded upstream as given, and the ones the embedded template generator
 * cannot honour (a clear 400 rather than a field silently dropped).
 */
import type { ChatMessage } from '../generator/types.js';
import type { Conversation } from '../pipeline/conditioning.js';
import { ApiError } from './api-error.js';

/** The same limit as /v1/align's `question`. */
export const MAX_QUESTION_CHARS = 8000;

export interface IncomingMessage {
  role: string;
  content?: string | unknown[] | null | undefined;
  [key: string]: unknown;
}

export interface ReadConversation {
  conversation: Conversation;
  question: string;
}

const invalid = (path: string, message: string) =>
  new ApiError('VALIDATION_FAILED', `${path}: ${message}`, [{ path, message }]);

/** The text of a message's content: a string, or the text parts of an array (other parts are refused). */
function textOf(content: IncomingMessage['content'], path: string): string {
  if (content === undefined || content === null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part, j) => {
      const p = part as { type?: unknown; text?: unknown } | null;
      if (p && p.type === 'text' && typeof p.text === 'string') return p.text;
      throw invalid(
        `${path}.${j}`,
        `a steered conversation is text only; this part is ${p && typeof p.type === 'string' ? `"${p.type}"` : 'not a text part'} (send it without value_profile to pass it through)`,
      );
    })
    .join('\n');
}

/** Every field of a message but role and content (tool_calls, tool_call_id, name, refusal…). */
function extraOf(m: IncomingMessage): Record<string, unknown> | undefined {
  const { role: _role, content: _content, ...rest } = m;
  return Object.keys(rest).length ? rest : undefined;
}

/** The conversation and its question; a clear 400 for what cannot be steered. */
export function readConversation(messages: readonly IncomingMessage[]): ReadConversation {
  const system: string[] = [];
  const turns: ChatMessage[] = [];
  let question: { text: string; path: string } | undefined;
  messages.forEach((m, i) => {
    const path = `messages.${i}.content`;
    const text = textOf(m.content, path);
    const extra = extraOf(m);
    switch (m.role) {
      case 'system':
      case 'developer':
        system.push(text);
        return;
      case 'user':
        question = { text, path };
        turns.push({ role: 'user', content: text, ...(extra ? { extra } : {}) });
        return;
      case 'assistant':
      case 'tool':
        turns.push({ role: m.role, content: text, ...(extra ? { extra } : {}) });
        return;
      default:
        throw invalid(
          `messages.${i}.role`,
          `role "${m.role}" cannot be steered; use system, developer, user, assistant or tool`,
        );
    }
  });
  if (!question || !question.text.trim()) {
    throw invalid('messages', 'a steered conversation needs a user message with text (the question)');
  }
  if (question.text.length > MAX_QUESTION_CHARS) {
    throw invalid(
      question.path,
      `the question (the last user message) has ${question.text.length} characters; at most ${MAX_QUESTION_CHARS}, as in /v1/align`,
    );
  }
  return { conversation: { system, turns }, question: question.text };
}

/** Fields of the request that are pluralign's or set by the route; every other one is forwarded. */
const OWN_FIELDS = new Set(['messages', 'value_profile', 'stream', 'stream_options', 'model']);

/** The caller's OpenAI fields to send upstream as given. */
export function forwardedParams(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([k, v]) => !OWN_FIELDS.has(k) && v !== undefined));
}

/**
 * Fields the embedded template generator honours or may ignore without changing the answer: it samples
 * nothing (so temperature, top_p, penalties, seed and token limits change nothing), cuts its answer at
 * `stop`, and the request metadata (`user`, `metadata`, `store`) is logged, not acted upon.
 */
const TEMPLATE_ACCEPTS = new Set([
  'temperature',
  'top_p',
  'presence_penalty',
  'frequency_penalty',
  'seed',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'user',
  'metadata',
  'store',
  'parallel_tool_calls',
]);

/** Whether a field holds its "off" value (the request means the same without it). */
function isDefault(key: string, value: unknown): boolean {
  if (value === null || value === false) return true;
  if (Array.isArray(value) && value.length === 0) return true;
  if (key === 'n') return value === 1;
  if (key === 'tool_choice') return value === 'none' || value === 'auto';
  if (key === 'response_format') return (value as { type?: unknown }).type === 'text';
  return false;
}

/** The forwarded fields the template generator cannot honour: the request is refused with their names. */
export function templateRefusals(params: Record<string, unknown>): string[] {
  return Object.entries(params)
    .filter(([k, v]) => !TEMPLATE_ACCEPTS.has(k) && !isDefault(k, v))
    .map(([k]) => k);
}
