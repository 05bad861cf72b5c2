/**
 * Property tests run with a fixed seed so CI is reproducible; FC_SEED=<n> picks another seed and
 * FC_SEED=random a fresh one (as when hunting for counterexamples locally).
 */
import fc from 'fast-check';

const env = process.env.FC_SEED;
if (env !== 'random') fc.configureGlobal({ seed: env ? Number(env) : 20261126 });
