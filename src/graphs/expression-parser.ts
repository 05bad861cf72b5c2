/**
 * Installs mathjs' expression parser into the engine (src/scm/expression.ts), loaded on first use: the
 * first graph with an expression mechanism pays for importing mathjs (about half a second on a loaded
 * machine), a service that only serves linear graphs (all the bundled ones) never does, so it starts
 * without it. `mathjs/number` is the number-only build: the same parser and syntax tree as the full
 * build (numbers are its default type anyway), without BigNumber, Complex, Fraction and matrices.
 * Side-effect module: importing it is enough (the graph registry does, so everything that loads graphs
 * through it has the parser).
 */
import { createRequire } from 'node:module';
import { setExpressionParser, type ExpressionParser } from '../scm/index.js';

const require = createRequire(import.meta.url);
let parse: ExpressionParser | undefined;

/**
 * Load mathjs now rather than on the first expression: a compute worker does it before it reports
 * ready, so the import is not charged to a request's work budget.
 */
export function loadExpressionParser(): ExpressionParser {
  return (parse ??= (require('mathjs/number') as { parse: ExpressionParser }).parse);
}

setExpressionParser((expression) => loadExpressionParser()(expression));
