/** A configuration error: names every invalid environment variable. */
export class ConfigError extends Error {
  readonly variables: string[];
  constructor(message: string, variables: string[]) {
    super(message);
    this.name = 'ConfigError';
    this.variables = variables;
  }
}
