/** Errors for bad profiles: a stable code and one issue per problem, each saying what to fix. */

export type ProfileErrorCode = 'INVALID_PROFILE' | 'UNKNOWN_VALUE';

export interface ProfileIssue {
  /** Where the problem is, e.g. `values.securty` or `ranking.2`. */
  path: string;
  message: string;
}

export class ProfileError extends Error {
  override name = 'ProfileError';
  code: ProfileErrorCode;
  issues: Array<{ path: string; message: string }>;

  constructor(code: ProfileErrorCode, message: string, issues: ProfileIssue[] = [{ path: '', message }]) {
    super(message);
    this.code = code;
    this.issues = issues;
  }

  /** One error for a list of issues: `UNKNOWN_VALUE` if any issue is an unknown name. */
  static fromIssues(issues: Array<ProfileIssue & { unknown?: boolean }>): ProfileError {
    const code: ProfileErrorCode = issues.some((i) => i.unknown) ? 'UNKNOWN_VALUE' : 'INVALID_PROFILE';
    const first = issues[0]!;
    const more =
      issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''})` : '';
    return new ProfileError(
      code,
      `${first.message}${more}`,
      issues.map(({ path, message }) => ({ path, message })),
    );
  }
}
