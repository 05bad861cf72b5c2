/**
 * Nonlinear mechanisms: a mathjs expression in the parent ids, parsed by mathjs and compiled into a
 * plain JavaScript closure over a Float64Array (no mathjs at query time: it is far slower than plain
 * code for scalar arithmetic). Only a whitelist of pure math operators and functions is accepted, so
 * an inline graph can never reach anything but arithmetic.
 *
 * The parser is given, not imported: importing mathjs costs about a second of start-up (it builds every
 * function it has), and the bundled graphs are all linear. The service installs mathjs' `parse`, loaded
 * the first time a graph with an expression is read (src/graphs/expression-parser.ts); src/scm stays pure.
 */
import type { MathNode } from 'mathjs';

/** mathjs' `parse` (or anything that builds the same tree). */
export type ExpressionParser = (expression: string) => MathNode;

let parse: ExpressionParser = () => {
  throw new Error(
    'no expression parser installed: import src/graphs/expression-parser.ts (or call setExpressionParser) before loading a graph with an expression mechanism',
  );
};

/** Install the parser expressions are read with (once, by the layer that loads graphs). */
export function setExpressionParser(parser: ExpressionParser): void {
  parse = parser;
}

/** Function names accepted in expressions, mapped to their JavaScript implementation. */
const FUNCTIONS: Record<string, { arity: [number, number]; js: string }> = {
  abs: { arity: [1, 1], js: 'Math.abs' },
  exp: { arity: [1, 1], js: 'Math.exp' },
  log: { arity: [1, 2], js: '__log' },
  log10: { arity: [1, 1], js: 'Math.log10' },
  log2: { arity: [1, 1], js: 'Math.log2' },
  log1p: { arity: [1, 1], js: 'Math.log1p' },
  sqrt: { arity: [1, 1], js: 'Math.sqrt' },
  cbrt: { arity: [1, 1], js: 'Math.cbrt' },
  pow: { arity: [2, 2], js: 'Math.pow' },
  min: { arity: [1, 32], js: 'Math.min' },
  max: { arity: [1, 32], js: 'Math.max' },
  sin: { arity: [1, 1], js: 'Math.sin' },
  cos: { arity: [1, 1], js: 'Math.cos' },
  tan: { arity: [1, 1], js: 'Math.tan' },
  atan: { arity: [1, 1], js: 'Math.atan' },
  atan2: { arity: [2, 2], js: 'Math.atan2' },
  sinh: { arity: [1, 1], js: 'Math.sinh' },
  cosh: { arity: [1, 1], js: 'Math.cosh' },
  tanh: { arity: [1, 1], js: 'Math.tanh' },
  sign: { arity: [1, 1], js: 'Math.sign' },
  floor: { arity: [1, 1], js: 'Math.floor' },
  ceil: { arity: [1, 1], js: 'Math.ceil' },
  round: { arity: [1, 1], js: 'Math.round' },
  hypot: { arity: [1, 32], js: 'Math.hypot' },
  sigmoid: { arity: [1, 1], js: '__sigmoid' },
  clamp: { arity: [3, 3], js: '__clamp' },
};

const CONSTANTS: Record<string, string> = { pi: 'Math.PI', e: 'Math.E', PI: 'Math.PI', E: 'Math.E' };

const BINARY: Record<string, string> = {
  '+': '+',
  '-': '-',
  '*': '*',
  '/': '/',
  '<': '<',
  '>': '>',
  '<=': '<=',
  '>=': '>=',
  '==': '===',
  '!=': '!==',
};

export const EXPRESSION_FUNCTIONS = Object.keys(FUNCTIONS);

export type CompiledExpression = (x: Float64Array) => number;

export interface ExpressionAnalysis {
  /** Symbols the expression reads (parent ids). */
  symbols: string[];
  /** Closure source, for inspection and tests. */
  source: string;
}

export class ExpressionError extends Error {}

/**
 * Compile `expression` into JavaScript source that reads parent values as `x[index]`.
 * Throws ExpressionError (parse failure, disallowed construct, unknown symbol) with a message that says what to fix.
 */
export function translateExpression(
  expression: string,
  indexOf: (symbol: string) => number | undefined,
  isNode: (symbol: string) => boolean = () => false,
): ExpressionAnalysis {
  let root: MathNode;
  try {
    root = parse(expression);
  } catch (err) {
    throw new ExpressionError(`does not parse (${(err as Error).message}); fix its syntax`);
  }
  const symbols = new Set<string>();

  const emit = (node: MathNode): string => {
    const n = node as MathNode & Record<string, unknown>;
    switch (node.type) {
      case 'ConstantNode': {
        const v = n.value;
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new ExpressionError(`only finite numeric constants are allowed, found ${JSON.stringify(v)}`);
        }
        return `(${v})`;
      }
      case 'SymbolNode': {
        const name = n.name as string;
        const idx = indexOf(name);
        if (idx !== undefined) {
          symbols.add(name);
          return `x[${idx}]`;
        }
        // A node of the graph named like a constant (`e`, `pi`) is never read as the constant: without
        // the edge it is an error like any other node that is not a parent.
        if (!isNode(name) && Object.hasOwn(CONSTANTS, name)) return CONSTANTS[name]!;
        throw new ExpressionError(`uses "${name}", which is not a parent of this node`);
      }
      case 'ParenthesisNode':
        return `(${emit(n.content as MathNode)})`;
      case 'OperatorNode': {
        const op = n.op as string;
        const args = n.args as MathNode[];
        if (args.length === 1) {
          if (op === '-') return `(-${emit(args[0]!)})`;
          if (op === '+') return `(+${emit(args[0]!)})`;
          if (op === 'not') return `(${emit(args[0]!)} ? 0 : 1)`;
          throw new ExpressionError(`the operator "${op}" is not allowed; use + - * / ^ % and comparisons`);
        }
        if (args.length === 2) {
          const [a, b] = [emit(args[0]!), emit(args[1]!)];
          if (op === '^') return `Math.pow(${a}, ${b})`;
          if (op === '%' || op === 'mod') return `__mod(${a}, ${b})`;
          if (op === 'and') return `((${a}) && (${b}) ? 1 : 0)`;
          if (op === 'or') return `((${a}) || (${b}) ? 1 : 0)`;
          const js = Object.hasOwn(BINARY, op) ? BINARY[op] : undefined;
          if (!js)
            throw new ExpressionError(`the operator "${op}" is not allowed; use + - * / ^ % and comparisons`);
          if (['<', '>', '<=', '>=', '===', '!=='].includes(js)) return `((${a}) ${js} (${b}) ? 1 : 0)`;
          return `(${a} ${js} ${b})`;
        }
        throw new ExpressionError(`the operator "${op}" is not allowed here`);
      }
      case 'ConditionalNode':
        return `((${emit(n.condition as MathNode)}) ? (${emit(n.trueExpr as MathNode)}) : (${emit(n.falseExpr as MathNode)}))`;
      case 'FunctionNode': {
        const fnNode = n.fn as MathNode & { name?: string };
        const name = fnNode.type === 'SymbolNode' ? fnNode.name : undefined;
        const spec = name && Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
        if (!name || !spec) {
          throw new ExpressionError(
            `the function "${name ?? '?'}" is not available; use one of ${EXPRESSION_FUNCTIONS.join(', ')}`,
          );
        }
        const args = n.args as MathNode[];
        if (args.length < spec.arity[0] || args.length > spec.arity[1]) {
          throw new ExpressionError(
            `${name}() takes ${spec.arity.join('–')} argument(s), got ${args.length}`,
          );
        }
        return `${spec.js}(${args.map(emit).join(', ')})`;
      }
      default:
        throw new ExpressionError(
          `"${node.type}" is not allowed in a mechanism; use numbers, parent ids, operators and math functions`,
        );
    }
  };

  const body = emit(root);
  return { symbols: [...symbols], source: body };
}

const HELPERS = {
  __log: (x: number, base?: number) => (base === undefined ? Math.log(x) : Math.log(x) / Math.log(base)),
  __sigmoid: (x: number) => 1 / (1 + Math.exp(-x)),
  __clamp: (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x)),
  // mathjs' mod: x − y·floor(x / y) (the sign follows the divisor), and mod(x, 0) = x.
  __mod: (x: number, y: number) => (y === 0 ? x : x - y * Math.floor(x / y)),
};

/** Turn translated source into a closure. The source only ever contains whitelisted constructs. */
export function closeExpression(source: string): CompiledExpression {
  const factory = new Function(
    '__log',
    '__sigmoid',
    '__clamp',
    '__mod',
    `return function (x) { return ${source}; };`,
  ) as (...h: unknown[]) => CompiledExpression;
  return factory(HELPERS.__log, HELPERS.__sigmoid, HELPERS.__clamp, HELPERS.__mod);
}
