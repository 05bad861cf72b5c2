/**
 * Setup of every test file. Property tests run with a fixed seed so CI is reproducible; FC_SEED=<n>
 * picks another seed and FC_SEED=random a fresh one (as when hunting for counterexamples locally).
 */
import fc from 'fast-check';
// The engine's expression parser, as the service installs it (tests of src/scm import no registry).
import '../src/graphs/expression-parser.js';

const env = process.env.FC_SEED;
if (env !== 'random') fc.configureGlobal({ seed: env ? Number(env) : 20261126 });
