/**
 * The attributor (DESIGN.md "Text → values is SCM abduction too"): a concept detector turns a text into
 * evidence on concept nodes (the embedded phrase matcher, or an LLM rating each concept through a JSON
 * schema); the SCM engine's partial-evidence abduction gives the value posterior. The LLM never scores
 * values directly. `compareProfiles` is COUPLE's verification (MAE and Spearman on the set dimensions).
 */
export {
  attributeText,
  type AttributeOptions,
  type Attribution,
  type ConceptHit,
  type DetectorName,
} from './attribute.js';
export {
  attributeLearned,
  type LearnedAttributeOptions,
  type LearnedAttribution,
} from './learned/attribute.js';
export { DetectorArtefactError, parseDetectorArtefact, type DetectorModel } from './learned/artefact.js';
export {
  detectLabels,
  type LabelDetection,
  type LearnedDetection,
  type WeightedSpan,
} from './learned/detect.js';
export {
  bundledDetectorPath,
  checkDetectorCoverage,
  loadValueDetector,
  valueDetector,
} from './learned/registry.js';
export {
  attributeWithLlm,
  buildRatingRequest,
  parseRatingReply,
  ratingSchema,
  RATING_SCHEMA_NAME,
  RATINGS,
  type LlmAttribution,
  type LlmAttributeOptions,
} from './llm.js';
export {
  compareProfiles,
  averageRanks,
  spearman,
  type DimensionComparison,
  type ProfileComparison,
} from './verification.js';
export { Z95, type ValueAttribution } from './posterior.js';
export {
  EVIDENCE_MAPPING,
  absenceReadings,
  buildEvidence,
  observeMatches,
  observeProbability,
  observeRating,
  levelToScore,
  presenceLevel,
  type ConceptObservation,
  type ConceptStatus,
  type EvidenceOptions,
  type EvidenceSet,
} from './evidence.js';
export {
  compileDetector,
  detectConcepts,
  SKIPPED_WORDS,
  type CompiledDetector,
  type DetectedConcept,
  type Detection,
} from './detector.js';
export { attributionModel, type AttributionModel, type ModelConcept, type ModelValue } from './model.js';
export { ATTRIBUTION_ERROR_CODES, AttributionError, type AttributionErrorCode } from './errors.js';
export { NEGATION_WINDOW, isNegated, stem, tokenize, type Token } from './text.js';
