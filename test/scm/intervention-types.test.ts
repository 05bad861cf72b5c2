/**
 * The intervention-type table drives normalisation, prediction, variance, explanation and the API
 * schema: each row's declared behaviour is checked against what the engine does with that type.
 */
import { describe, expect, it } from 'vitest';
import { Intervention } from '../../schemas/api.js';
import { compile, counterfactual, ScmError } from '../../src/scm/index.js';
import {
  ACTIONS,
  APPLIED_ACTION_NAMES,
  INTERVENTION_TYPES,
  INTERVENTION_TYPE_NAMES,
  interventionTypeDescription,
  interventionValueDescription,
} from '../../src/scm/intervention-types.js';
import { twoValueGraph } from '../fixtures/toy-graphs.js';
import { byId } from './helpers.js';

// drive (latent) → ambition = 0.8·drive + u → bold_move = 0.7·ambition + u (and → restraint).
const program = compile(twoValueGraph('two'));
const FULL = { drive: 0.5, ambition: 1.5, restraint: -0.2, bold_move: 2 };
const W = 0.7; // ambition → bold_move

describe('the intervention-type table', () => {
  it('names do, shift and structured, each acting through a declared action', () => {
    expect(INTERVENTION_TYPE_NAMES).toEqual(['do', 'shift', 'structured']);
    expect(APPLIED_ACTION_NAMES).toEqual(['do', 'shift']);
    for (const t of INTERVENTION_TYPE_NAMES) expect(ACTIONS[INTERVENTION_TYPES[t].action]).toBeDefined();
  });

  for (const type of INTERVENTION_TYPE_NAMES) {
    const spec = INTERVENTION_TYPES[type];
    const action = ACTIONS[spec.action];

    describe(`row "${type}"`, () => {
      const value = 3;
      const full = counterfactual(program, {
        evidence: FULL,
        interventions: [{ node: 'ambition', type, value }],
        explain: { include: 'all' },
      });

      it(`prediction: applies ${action.name} to the node${spec.movesLatentParents ? ' and sets its latent parent' : ''}`, () => {
        const own = full.actions.find((a) => a.node === 'ambition')!;
        expect(own).toEqual({ node: 'ambition', type: action.name, value, origin: 'caller' });
        const latent = full.actions.find((a) => a.node === 'drive');
        if (spec.movesLatentParents) {
          expect(latent).toMatchObject({ type: 'do', origin: 'structured' });
          expect(full.structured?.targets).toEqual([program.index.get('ambition')]);
        } else {
          expect(latent).toBeUndefined();
          expect(full.structured).toBeNull();
        }
        const cf = byId(full.nodes, full.counterfactual);
        // A level sets the node to the value; an amount is added to what it would otherwise be (1.5).
        expect(cf.ambition).toBeCloseTo(spec.value === 'level' ? value : FULL.ambition + value, 12);
        expect(cf.bold_move).toBeCloseTo(FULL.bold_move + W * (cf.ambition! - FULL.ambition), 12);
      });

      it(`explanation: the node's role is "${action.role}" and its own change is carried to its child`, () => {
        const ex = full.explanation!.nodes.find((n) => n.node === 'ambition')!;
        expect(ex.role).toBe(action.role);
        const own = action.ownChange(FULL.ambition, byId(full.nodes, full.counterfactual).ambition!, value);
        const child = full.explanation!.nodes.find((n) => n.node === 'bold_move')!;
        expect(child.change).toBeCloseTo(W * own, 12);
        const fromV = child.contributions.find((c) => c.intervention === 'ambition')!.amount;
        expect(fromV).toBeCloseTo(W * own, 12);
      });

      it(`variance: the node's counterfactual sd is ${action.cutsIncomingEdges ? '0 (incoming edges cut)' : 'its factual sd (mechanism kept)'}`, () => {
        const partial = counterfactual(program, {
          evidence: { bold_move: 2 },
          interventions: [{ node: 'ambition', type, value }],
        });
        const sd = byId(partial.nodes, partial.counterfactualSd);
        const factualSd = byId(partial.nodes, partial.factualSd);
        expect(factualSd.ambition).toBeGreaterThan(0);
        if (action.cutsIncomingEdges) expect(sd.ambition).toBe(0);
        else expect(sd.ambition).toBeCloseTo(factualSd.ambition!, 12);
      });

      it('API: the Intervention schema accepts it and documents it', () => {
        expect(Intervention.safeParse({ node: 'ambition', type, value: 1 }).success).toBe(true);
        expect(interventionTypeDescription()).toContain(spec.description);
        expect(interventionValueDescription()).toMatch(
          new RegExp(`${spec.value === 'level' ? 'target' : 'amount'} \\([^)]*\`${type}\``),
        );
      });
    });
  }

  it('a type that is no row is refused by the API schema and by the engine, naming the rows', () => {
    expect(Intervention.safeParse({ node: 'ambition', type: 'nudge', value: 1 }).success).toBe(false);
    let err: unknown;
    try {
      counterfactual(program, {
        evidence: FULL,
        interventions: [{ node: 'ambition', type: 'nudge' as never, value: 1 }],
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScmError);
    expect((err as ScmError).message).toContain('is not one of do, shift, structured');
  });
});
