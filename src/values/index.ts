/**
 * Value profiles: formats (likert5, pvq6, centered, ranking), conversions, higher-order summaries,
 * questionnaire scoring and presets. See graphs/README.md for the scales and the value systems.
 */
export { ProfileError, type ProfileErrorCode, type ProfileIssue } from './errors.js';
export {
  SCALES,
  SCALE_IDS,
  convertScore,
  fromCenteredScore,
  toCenteredScore,
  type Scale,
  type ScaleDef,
} from './scales.js';
export {
  PROFILE_FORMATS,
  convertProfile,
  fromCentered,
  getValueSystem,
  normalizeProfile,
  toCentered,
  type ConvertResult,
  type NormalizedProfile,
  type Profile,
  type ProfileFormat,
} from './profile.js';
export { HUMAN_RANK_CURVE, partialRankScores, rankScores, scoresToRanking } from './ranking.js';
export { higherOrder, type HigherOrderOptions, type HigherOrderSummary } from './higher-order.js';
export {
  ITEM_KEYS,
  scoreQuestionnaire,
  type ItemKey,
  type QuestionnaireScore,
  type ScoreInput,
} from './questionnaire.js';
export { getPreset, listPresets, type Preset } from './presets.js';
export {
  modelFamily,
  normaliseModelId,
  presetForModel,
  type ModelMatch,
  type ModelPreset,
} from './model-presets.js';
export {
  resolveValueName,
  valueIds,
  valueSystemFromGraph,
  type ValueDef,
  type ValueSystem,
} from './systems.js';
export { normalizeName } from './names.js';
export { theoryAxes, type TheoryAxes } from './axes.js';
export { impliedCorrelation, impliedMoments, type ImpliedMoments } from './moments.js';
