/** The SCM engine: pure (no I/O), numeric, one compiled program per graph version. */
export { ScmError, type ScmErrorCode, type ScmIssue } from './errors.js';
export { loadGraph, type LoadedGraph } from './graph.js';
export { compile, priorMoments, type Program } from './compile.js';
export {
  counterfactual,
  counterfactualBatch,
  toRecord,
  type AppliedAction,
  type BatchItem,
  type CounterfactualQuery,
  type CounterfactualResult,
} from './counterfactual.js';
export {
  DEFAULT_LAMBDA,
  type Intervention,
  type InterventionType,
  type StructuredSolution,
} from './interventions.js';
export {
  APPLIED_ACTION_NAMES,
  INTERVENTION_TYPES,
  INTERVENTION_TYPE_NAMES,
  interventionTypeDescription,
  interventionValueDescription,
  isLevel,
  type InterventionTypeSpec,
} from './intervention-types.js';
export { EVIDENCE_JITTER } from './abduction.js';
export { MAGNITUDE_LIMIT, graphScale } from './magnitude.js';
export type {
  Contribution,
  Explanation,
  ExplainOptions,
  NodeExplanation,
  NodeRole,
  PathContribution,
} from './explain.js';
export { fitGraph, type DataTable, type FitOptions, type FitResult, type NodeFit } from './fit.js';
export { EXPRESSION_FUNCTIONS, setExpressionParser, type ExpressionParser } from './expression.js';
