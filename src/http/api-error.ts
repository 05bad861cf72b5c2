/**
 * The HTTP face of a domain error: the catalogue's status for its code. Only src/http uses it; the
 * domain throws `DomainError` (src/errors.ts), which carries no status, and the error handler maps it.
 */
import { DomainError, statusOf, type ErrorCode, type ErrorDetail } from '../errors.js';

export class ApiError extends DomainError {
  readonly statusCode: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
    super(code, message, details);
    this.name = 'ApiError';
    this.statusCode = statusOf(code);
  }

  /** A domain error as the response to send (the same code, message and details). */
  static from(err: DomainError): ApiError {
    return err instanceof ApiError ? err : new ApiError(err.code, err.message, err.details);
  }
}
