/**
 * Defaults of the OpenAI-compatible backend. Its environment variables are declared once, in
 * openai-backend.ts (the registry joins every backend's into one schema and one documented list).
 */

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export const DEFAULT_OPENAI_MODEL = 'gpt-4o-mini';
