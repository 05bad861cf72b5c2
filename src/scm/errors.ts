/**
 * Errors raised by the SCM engine. Every message names the node (where there is one) and says what to fix.
 * `code` is stable; the HTTP layer maps it to a status and its error envelope.
 */
export type ScmErrorCode =
  | 'GRAPH_INVALID'
  | 'GRAPH_CYCLE'
  | 'UNKNOWN_NODE'
  | 'UNKNOWN_GRAPH'
  | 'INVALID_QUERY'
  | 'UNSUPPORTED_QUERY'
  | 'FIT_FAILED';

export interface ScmIssue {
  /** JSON path inside the graph or query, e.g. `nodes.3.mechanism.coefficients.X`. */
  path: string;
  /** The node the issue is about, when there is one. */
  node?: string;
  message: string;
}

export class ScmError extends Error {
  readonly code: ScmErrorCode;
  readonly issues: ScmIssue[];

  constructor(code: ScmErrorCode, message: string, issues: ScmIssue[] = []) {
    super(message);
    this.name = 'ScmError';
    this.code = code;
    this.issues = issues;
  }

  /** The first issue's message, or a count when there are several. */
  static fromIssues(code: ScmErrorCode, issues: ScmIssue[]): ScmError {
    const first = issues[0]?.message ?? 'invalid input';
    const message = issues.length > 1 ? `${first} (and ${issues.length - 1} more issue(s))` : first;
    return new ScmError(code, message, issues);
  }
}
