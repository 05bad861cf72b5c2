/**
 * The Kubernetes manifests (deploy/kubernetes), without a cluster or the network: every document is
 * validated against the Kubernetes OpenAPI schemas that the kubernetes-models package ships (the
 * same checks the API server's validation makes on types, required fields and enums), and the
 * documents are checked against each other and against the service: probes on /readyz and /healthz,
 * selectors that match the pod labels, the HPA and the Service aimed at the Deployment, every
 * variable a known one, the worker running `pluralign worker`, PostgreSQL and Redis referenced.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { CONFIG_VARS } from '../../src/config/index.js';
import { GENERATOR_VARS } from '../../src/generator/registry.js';
import { ROOT } from '../http/helpers.js';

const DIR = join(ROOT, 'deploy', 'kubernetes');
type Doc = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
} & Record<
  string,
  any // eslint-disable-line @typescript-eslint/no-explicit-any -- free-form manifests, checked below
>;

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
const docs: Array<{ file: string; doc: Doc }> = files.flatMap((file) =>
  parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => {
    if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]!.message}`);
    return { file, doc: d.toJS() as Doc };
  }),
);
const find = (kind: string, name: string): Doc => {
  const d = docs.find((x) => x.doc.kind === kind && x.doc.metadata.name === name);
  if (!d) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return d.doc;
};

/** The kubernetes-models classes of the kinds used here, by `apiVersion/kind`. */
const MODELS: Record<string, new (d: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
};

/** Validate one object with the kubernetes-models class of its apiVersion and kind. */
async function validate(doc: Doc): Promise<void> {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`];
  if (!Model) throw new Error(`no schema here for ${doc.apiVersion} ${doc.kind}`);
  new Model(doc as never).validate();
}

describe('deploy/kubernetes', () => {
  it('every document is valid against the Kubernetes schemas', async () => {
    expect(docs.length).toBeGreaterThanOrEqual(9);
    for (const { file, doc } of docs) {
      await expect(validate(doc), `${file}: ${doc.kind} ${doc.metadata.name}`).resolves.toBeUndefined();
    }
  });

  it('the validation does catch mistakes (a probe without a port, replicas as text, a bad HPA metric)', async () => {
    const deployment = structuredClone(find('Deployment', 'pluralign'));
    delete deployment.spec.template.spec.containers[0].readinessProbe.httpGet.port;
    await expect(validate(deployment)).rejects.toThrow(/port/);
    const replicas = structuredClone(find('Deployment', 'pluralign'));
    replicas.spec.replicas = 'three';
    await expect(validate(replicas)).rejects.toThrow(/integer/);
    const hpa = structuredClone(find('HorizontalPodAutoscaler', 'pluralign'));
    hpa.spec.metrics[0].resource.target.averageUtilization = '70%';
    await expect(validate(hpa)).rejects.toThrow();
  });

  it('kustomization.yaml lists every manifest', () => {
    const k = parseAllDocuments(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as {
      resources: string[];
    };
    expect([...k.resources].sort()).toEqual([...files].sort());
  });

  it('the service Deployment: readiness on /readyz, liveness on /healthz, the image of this version', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const d = find('Deployment', 'pluralign');
    expect(d.spec.selector.matchLabels).toEqual(
      Object.fromEntries(
        Object.keys(d.spec.selector.matchLabels).map((k) => [k, d.spec.template.metadata.labels[k]]),
      ),
    );
    const c = d.spec.template.spec.containers[0];
    expect(c.image).toBe(`pluralign:${pkg.version}`);
    expect(c.command).toEqual(['node', 'dist/src/server.js']);
    const port = c.ports.find((p: { name: string }) => p.name === 'http');
    expect(port.containerPort).toBe(Number(find('ConfigMap', 'pluralign-config').data.PORT));
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    // Graceful shutdown fits in the grace period: preStop pause + SHUTDOWN_TIMEOUT_MS.
    const shutdownS = Number(find('ConfigMap', 'pluralign-config').data.SHUTDOWN_TIMEOUT_MS) / 1000;
    const pause = Number(c.lifecycle.preStop.exec.command[1]);
    expect(pause + shutdownS).toBeLessThan(d.spec.template.spec.terminationGracePeriodSeconds);
  });

  it('the Service, HPA and PodDisruptionBudget aim at the service pods', () => {
    const labels = find('Deployment', 'pluralign').spec.template.metadata.labels as Record<string, string>;
    const matches = (sel: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);
    const svc = find('Service', 'pluralign');
    expect(matches(svc.spec.selector)).toBe(true);
    expect(svc.spec.ports[0].targetPort).toBe('http');
    expect(matches(find('PodDisruptionBudget', 'pluralign').spec.selector.matchLabels)).toBe(true);
    const hpa = find('HorizontalPodAutoscaler', 'pluralign');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'pluralign' });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    // The worker pods are not behind the Service.
    const worker = find('Deployment', 'pluralign-worker').spec.template.metadata.labels as Record<
      string,
      string
    >;
    expect(Object.entries(svc.spec.selector).every(([k, v]) => worker[k] === v)).toBe(false);
  });

  it('the worker Deployment runs `pluralign worker` on the same image and settings', () => {
    const api = find('Deployment', 'pluralign').spec.template.spec.containers[0];
    const w = find('Deployment', 'pluralign-worker').spec.template.spec.containers[0];
    expect(w.command).toEqual(['node', 'dist/src/cli/bin.js', 'worker']);
    expect(w.image).toBe(api.image);
    expect(w.envFrom).toEqual(api.envFrom);
  });

  it('settings in a ConfigMap, connection strings and keys in a Secret, PostgreSQL and Redis referenced', () => {
    const known = new Set([...Object.keys(CONFIG_VARS), ...Object.keys(GENERATOR_VARS)]);
    const cm = find('ConfigMap', 'pluralign-config');
    const secret = find('Secret', 'pluralign-secrets');
    for (const name of [...Object.keys(cm.data), ...Object.keys(secret.stringData)])
      expect(known, name).toContain(name);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'API_KEYS']) {
      expect(Object.keys(secret.stringData), name).toContain(name);
      expect(Object.keys(cm.data), name).not.toContain(name);
    }
    const api = find('Deployment', 'pluralign').spec.template.spec.containers[0];
    expect(api.envFrom).toEqual([
      { configMapRef: { name: 'pluralign-config' } },
      { secretRef: { name: 'pluralign-secrets' } },
    ]);
    // The URLs name the backend Services of backends.yaml.
    const pgHost = new URL(secret.stringData.DATABASE_URL).hostname;
    const redisHost = new URL(secret.stringData.REDIS_URL).hostname;
    expect(find('Service', pgHost).spec.ports[0].port).toBe(5432);
    expect(find('Service', redisHost).spec.ports[0].port).toBe(6379);
    expect(cm.data.HOST).toBe('0.0.0.0');
  });
});
