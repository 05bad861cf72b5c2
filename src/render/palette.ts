/**
 * Colours and line styles shared by the charts. Meaning never rests on colour alone: every series and
 * every edge sign also has its own dash pattern (and, for series, marker shape), and a text legend.
 * The blue/orange pair stays distinct under the common colour-vision deficiencies.
 */

export const INK = '#1f2328';
export const MUTED = '#57606a';
export const GRID = '#d0d7de';

export const POSITIVE = { colour: '#2166ac', dash: undefined, label: 'positive weight (solid)' } as const;
export const NEGATIVE = { colour: '#b35806', dash: '7 4', label: 'negative weight (dashed)' } as const;
export const NONLINEAR = { colour: '#6e7781', dash: '2 3', label: 'nonlinear mechanism (dotted)' } as const;

export type Marker = 'circle' | 'diamond' | 'square';

export interface SeriesStyle {
  /** Short name used in tooltips and the description. */
  name: string;
  label: string;
  /** The line pattern in words (for the description). */
  line: 'solid' | 'dashed' | 'dotted';
  colour: string;
  width: number;
  dash: string | undefined;
  fillOpacity: number;
  marker: Marker;
}

export const SERIES = {
  factual: {
    name: 'factual',
    line: 'dotted',
    label: 'Factual (before steering)',
    colour: '#57606a',
    width: 2,
    dash: '2 3',
    fillOpacity: 0.06,
    marker: 'circle',
  },
  target: {
    name: 'target',
    line: 'dashed',
    label: 'Target (the values set)',
    colour: '#b35806',
    width: 2.5,
    dash: '8 4',
    fillOpacity: 0,
    marker: 'diamond',
  },
  counterfactual: {
    name: 'counterfactual',
    line: 'solid',
    label: 'Counterfactual (steered profile)',
    colour: '#2166ac',
    width: 3,
    dash: undefined,
    fillOpacity: 0.14,
    marker: 'square',
  },
} as const satisfies Record<string, SeriesStyle>;

export type SeriesId = keyof typeof SERIES;
export const SERIES_IDS: readonly SeriesId[] = ['factual', 'target', 'counterfactual'];
