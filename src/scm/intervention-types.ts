/**
 * The intervention types, one row each, and the two actions prediction applies. Everything the engine,
 * the use cases and the API know about a type is here: normalisation (`interventions.ts`), prediction
 * (`predict.ts` applies the actions), the counterfactual variance (`counterfactual.ts`), the
 * explanation (`explain.ts`), unit conversion, range notes and charts (`src/pipeline/counterfactual*.ts`)
 * and the zod `Intervention` schema behind OpenAPI and the CLI (`schemas/api.ts`) read these tables.
 *
 * A new type that acts through an existing action is one row of `INTERVENTION_TYPES` plus its tests; a
 * new kind of action is a row of `ACTIONS` and its branch in `predict` (the hot loop keeps numeric codes).
 */
import type { NodeRole } from './explain.js';

/** Action codes per node (Uint8Array in `Actions.act`): none, do, shift. */
export const NONE = 0;
export const DO = 1;
export const SHIFT = 2;

export type ActionCode = typeof DO | typeof SHIFT;

/** An action as prediction applies it to one node. */
export interface ActionSpec {
  /** Its name in results (`AppliedAction.type`). */
  readonly name: 'do' | 'shift';
  /**
   * Whether it cuts the node's incoming edges (the graph is mutilated): the node no longer depends on
   * its parents, so the counterfactual variance of a set node is 0 and its parents' uncertainty stops
   * there (partial evidence), and explanation paths and impulses stop at it.
   */
  readonly cutsIncomingEdges: boolean;
  /** Explanation: the role of a node the caller acted on this way. */
  readonly role: NodeRole;
  /** Explanation: the node's own change e_i, which the causal paths carry to its descendants. */
  ownChange(factual: number, counterfactual: number, value: number): number;
}

export const ACTIONS: Readonly<Record<ActionCode, ActionSpec>> = {
  // x_i := value: the mechanism and the noise are dropped.
  [DO]: { name: 'do', cutsIncomingEdges: true, role: 'set', ownChange: (f, cf) => cf - f },
  // x_i := f_i(x'_parents) + u_i + value: the mechanism is kept (DoWhy's shift).
  [SHIFT]: { name: 'shift', cutsIncomingEdges: false, role: 'shifted', ownChange: (_f, _cf, v) => v },
};

/** The names of the actions in results, in code order (`AppliedAction.type`). */
export const APPLIED_ACTION_NAMES = Object.values(ACTIONS).map((a) => a.name) as [
  ActionSpec['name'],
  ...ActionSpec['name'][],
];

/** The spec of an applied action code (undefined for NONE). */
export function actionSpec(code: number): ActionSpec | undefined {
  return code === DO || code === SHIFT ? ACTIONS[code] : undefined;
}

/** 1 at the codes of actions that cut incoming edges: a flat lookup for the engine's inner loops. */
export const CUTS_EDGES: Uint8Array = Uint8Array.from({ length: Math.max(DO, SHIFT) + 1 }, (_, code) =>
  actionSpec(code)?.cutsIncomingEdges ? 1 : 0,
);

/** What the caller may ask for: a type, as the API, the CLI and batch lines spell it. */
export interface InterventionTypeSpec {
  /** Prediction: the action applied to the intervened node. */
  readonly action: ActionCode;
  /**
   * Prediction: whether the node's latent parents are set too, by the structured solver
   * (`resolveStructured`: h* = argmin ‖x'_V(h) − t‖² + λ‖h − ĥ‖²) before the actions apply.
   */
  readonly movesLatentParents: boolean;
  /**
   * What `value` is: a `level` the node is set to, or an `amount` added to it. A scale conversion
   * turns levels into scores and amounts into differences; only levels get the far-from-the-population
   * notes and are drawn as chart targets.
   */
  readonly value: 'level' | 'amount';
  /** API: its sentence in the description of `Intervention.type` (OpenAPI). */
  readonly description: string;
}

export const INTERVENTION_TYPES = {
  do: {
    action: DO,
    movesLatentParents: false,
    value: 'level',
    description: '`do`: set the node to `value` (its causes no longer matter).',
  },
  shift: {
    action: SHIFT,
    movesLatentParents: false,
    value: 'amount',
    description: '`shift`: add `value` to what it would otherwise be.',
  },
  // Beyond DoWhy (which has do and shift only).
  structured: {
    action: DO,
    movesLatentParents: true,
    value: 'level',
    description:
      '`structured`: a backtracking (conditional) counterfactual: set it to `value` and also set its latent parents to the values that best explain the target (regularised least squares, close to E[latents | target] from the population mean), so related values follow as inferences, not effects; `notes` says when the node has no latent parent or a latent is also acted on.',
  },
} as const satisfies Record<string, InterventionTypeSpec>;

export type InterventionType = keyof typeof INTERVENTION_TYPES;

export const INTERVENTION_TYPE_NAMES = Object.keys(INTERVENTION_TYPES) as [
  InterventionType,
  ...InterventionType[],
];

/** The row of a type name, or undefined for a name that is not one (input not validated by zod). */
export function interventionType(name: string): InterventionTypeSpec | undefined {
  return Object.hasOwn(INTERVENTION_TYPES, name) ? INTERVENTION_TYPES[name as InterventionType] : undefined;
}

/** Whether an intervention's value is a level (converted as a score, noted, charted) rather than an amount. */
export function isLevel(type: InterventionType): boolean {
  return INTERVENTION_TYPES[type].value === 'level';
}

/** The OpenAPI description of `Intervention.type`: every row's sentence. */
export function interventionTypeDescription(): string {
  return INTERVENTION_TYPE_NAMES.map((t) => INTERVENTION_TYPES[t].description).join(' ');
}

/** The OpenAPI description of `Intervention.value`: which types take a target and which an amount. */
export function interventionValueDescription(): string {
  const names = (value: InterventionTypeSpec['value']) =>
    INTERVENTION_TYPE_NAMES.filter((t) => INTERVENTION_TYPES[t].value === value)
      .map((t) => `\`${t}\``)
      .join(', ');
  return `The target (${names('level')}) or the amount (${names('amount')}).`;
}
