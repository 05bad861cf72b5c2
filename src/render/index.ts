/**
 * Pictures of the model, rendered server-side as SVG strings (no browser, no I/O, deterministic):
 * a radar chart of a value profile (factual vs target vs counterfactual) and a drawing of a graph.
 */
export { radarChart, orderValues, DEFAULT_SCALE, type RadarOptions, type RadarValue } from './radar.js';
export { graphDiagram, spreadAngles, type DiagramOptions } from './diagram.js';
export { radarFromExplanation } from './explanation.js';
