/**
 * `pluralign eval` as a library: how well does a backend follow value profiles, with and without
 * pluralign? Questions × target profiles × methods → align → attribute → MAE and Spearman ρ (COUPLE's
 * protocol, couple.md §6), a persona questionnaire (values.md §3.1), seeded bootstrap intervals, a
 * resumable JSON-lines results file, and a report in JSON, Markdown and SVG.
 */
export * from './types.js';
export {
  EvalInputError,
  loadItemSet,
  loadProfiles,
  loadQuestions,
  parseItemSet,
  parseProfiles,
  parseQuestions,
} from './inputs.js';
export { compareScores, type Scores } from './scores.js';
export { ABSENT_LEVEL, SCORINGS, directReadings, type DirectReading, type Scoring } from './direct.js';
export { MeteredGenerator, addUsage, emptyUsage } from './meter.js';
export { deriveDefaultProfiles, type ProfilesFile } from './profiles.js';
export { progressReporter, progressText, type ProgressReporter } from './progress.js';
export {
  QUESTIONNAIRE_FORMAT,
  QuestionnaireReplyError,
  askPersona,
  batchMessages,
  batchPrompt,
  batchSchema,
  derivedRatings,
  itemBatches,
  methodProfile,
  parseBatchReply,
  scoreRatings,
} from './questionnaire.js';
export {
  buildReport,
  renderCharts,
  renderMarkdown,
  usageLine,
  writeReport,
  zeroWidth,
  SELF_CHECK_NOTE,
  type CellStats,
  type EvalReport,
  type PairedStats,
  type ProtocolReport,
  type ReportInput,
  type ReportKind,
  type StatOptions,
} from './report.js';
export {
  QUESTIONNAIRE_METHODS,
  planTasks,
  readResults,
  runEval,
  type EvalPlan,
  type EvalRuntime,
  type ProgressInfo,
  type ResultsFile,
  type RunOutcome,
  type Task,
} from './run.js';
export {
  bootstrap,
  clusteredMean,
  fnv1a,
  mean,
  mulberry32,
  quantile,
  type BootstrapOptions,
  type Interval,
} from './stats.js';
export { barChart, niceStep, type Bar, type BarChartSpec, type BarGroup } from './svg.js';
