// The GitHub Action (action.yml) and the GitLab template (ci/gitlab/oauth-conformance.gitlab-ci.yml)
// cannot run here, so their steps are run as a CI runner would: each YAML file is parsed, the
// `run:` steps (GitHub) and `script:` lines (GitLab) are run with bash, their inputs and variables
// given as the runner gives them, against the embedded reference mock. What needs a network or a
// hosted runner (setup-node, npm ci of a fresh clone, upload-artifact) is named and checked by
// shape, not run.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { PACKAGE_ROOT, packagePath } from '../src/shared/paths.ts';
import { type CliResult, collectOutput, tempDir, writeJson } from './support/cli.ts';

interface ActionStep {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  with?: Record<string, string>;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  'working-directory'?: string;
}

interface Action {
  inputs: Record<string, { default?: string; required?: boolean; description: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

interface GitlabJob {
  extends?: string;
  image?: string;
  when?: string;
  variables?: Record<string, string>;
  before_script?: string[];
  script?: string[];
  allow_failure?: { exit_codes: number[] };
  artifacts?: { when?: string; paths?: string[]; reports?: { junit?: string } };
}

const action = parse(readFileSync(packagePath('action.yml'), 'utf8')) as Action;
const gitlab = parse(
  readFileSync(packagePath('ci', 'gitlab', 'oauth-conformance.gitlab-ci.yml'), 'utf8'),
) as Record<string, GitlabJob>;

type Ran = CliResult;

function bash(script: string, cwd: string, env: Record<string, string>): Promise<Ran> {
  const child = spawn('bash', ['-eo', 'pipefail', '-c', script], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return collectOutput(child, 150_000);
}

/**
 * `${{ … }}` as the runner evaluates it in a composite action, for the two contexts the action
 * may use: its inputs (their defaults unless given) and github.action_path. Anything else is an
 * error, so an expression this test cannot vouch for never passes unseen.
 */
function evaluate(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_whole, expression: string) => {
    if (expression === 'github.action_path') return PACKAGE_ROOT.replace(/\/$/, '');
    const input = /^inputs\.([\w-]+)$/.exec(expression);
    if (input?.[1] !== undefined && input[1] in action.inputs)
      return inputs[input[1]] ?? action.inputs[input[1]]?.default ?? '';
    throw new Error(`action.yml: an expression this self-test does not evaluate: ${expression}`);
  });
}

/** The action's steps run as the runner runs them; the `uses:` and install steps are listed, not run. */
async function runAction(
  inputs: Record<string, string>,
  workspace: string,
): Promise<{ ran: Ran; outputs: string; notRun: string[] }> {
  const outputFile = join(workspace, '.github-output');
  writeFileSync(outputFile, '');
  const notRun: string[] = [];
  let ran: Ran | undefined;
  for (const step of action.runs.steps) {
    // Needs a hosted runner or the network; its shape is checked below.
    if (step.uses || step.id === 'install') {
      notRun.push(step.uses ?? step.id ?? '');
      continue;
    }
    const env = Object.fromEntries(
      Object.entries(step.env ?? {}).map(([name, value]) => [name, evaluate(value, inputs)]),
    );
    ran = await bash(step.run ?? '', workspace, {
      ...env,
      GITHUB_ACTIONS: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_WORKSPACE: workspace,
    });
    if (ran.code !== 0) break;
  }
  if (!ran) throw new Error('action.yml has no run step');
  return { ran, outputs: readFileSync(outputFile, 'utf8'), notRun };
}

/** `${{ inner }}`, as action.yml spells an expression. */
const expression = (inner: string) => `\${{ ${inner} }}`;

const STALE_ALLOW = {
  allow: [{ requirement: 'token.200.status', reason: 'fixed long ago', expires: '2099-12-31' }],
};

describe('the GitHub Action (action.yml)', () => {
  test('its shape: composite; inputs target, profile, config, allow; reports uploaded always', () => {
    expect(action.runs.using).toBe('composite');
    for (const input of ['target', 'profile', 'config', 'allow', 'allow-stale', 'reports'])
      expect(action.inputs[input]?.description, input).toBeTruthy();
    expect(action.outputs['exit-code']?.value).toBe(
      expression('steps.conformance.outputs.exit-code'),
    );
    const upload = action.runs.steps.find((step) =>
      step.uses?.startsWith('actions/upload-artifact@'),
    );
    expect(upload?.uses).toBe('actions/upload-artifact@v4');
    expect(upload?.if).toMatch(/^always\(\)/);
    expect(upload?.with?.path).toBe(expression('inputs.reports'));
    const install = action.runs.steps.find((step) => step.id === 'install');
    expect(install?.run).toBe('npm ci --omit=dev --no-audit --no-fund');
    expect(install?.['working-directory']).toBe(expression('github.action_path'));
    for (const step of action.runs.steps.filter((s) => s.run !== undefined)) {
      expect(step.shell, step.name).toBe('bash');
      // Inputs reach scripts as environment variables only: no input can become shell code.
      expect(step.run, step.name).not.toContain('${{');
    }
  });

  test('run against the embedded mock: reports written, exit-code output, commands stopped; a stale allow entry fails it', async () => {
    const workspace = tempDir('action');
    writeJson(workspace, 'allow.json', STALE_ALLOW);
    const warned = await runAction({ allow: 'allow.json', 'allow-stale': 'warn' }, workspace);
    expect(warned.ran.code, warned.ran.stdout + warned.ran.stderr).toBe(0);
    expect(warned.notRun).toEqual([
      'actions/setup-node@v4',
      'install',
      'actions/upload-artifact@v4',
    ]);
    expect(warned.outputs).toBe('exit-code=0\n');
    const stop = /^::stop-commands::(oc-[0-9a-f]{32})$/m.exec(warned.ran.stdout)?.[1];
    expect(stop).toBeDefined();
    expect(warned.ran.stdout).toContain(`\n::${stop}::\n`);
    expect(warned.ran.stdout).toContain('stale allowance (warning under --allow-stale warn)');
    for (const file of ['junit.xml', 'result.json', 'index.html'])
      expect(existsSync(join(workspace, 'oauth-conformance-reports', file)), file).toBe(true);

    const failed = await runAction({ allow: 'allow.json', reports: 'strict' }, workspace);
    expect(failed.ran.code).toBe(1);
    expect(failed.outputs).toBe('exit-code=1\n');
    expect(failed.ran.stdout).toContain(
      '::error title=oauth-conformance::the target does not conform (see strict/index.html)',
    );

    // The matrix's last job: the runs' artifacts downloaded side by side, merged by the action.
    mkdirSync(join(workspace, 'runs'));
    cpSync(join(workspace, 'oauth-conformance-reports'), join(workspace, 'runs', 'embedded'), {
      recursive: true,
    });
    cpSync(join(workspace, 'strict'), join(workspace, 'runs', 'strict'), { recursive: true });
    const merged = await runAction({ merge: 'runs/*', reports: 'merged' }, workspace);
    expect(merged.ran.code, merged.ran.stdout + merged.ran.stderr).toBe(1);
    expect(merged.ran.stdout).toContain('oauth-conformance merge: 2 runs');
    expect(merged.outputs).toBe('exit-code=1\n');
    expect(existsSync(join(workspace, 'merged', 'index.html'))).toBe(true);
  }, 240_000);

  test('a misconfigured job: exit 2 and its one line, said as a misconfiguration', async () => {
    const workspace = tempDir('action-bad');
    const { ran, outputs } = await runAction({ profile: 'nope' }, workspace);
    expect(ran.code).toBe(2);
    expect(outputs).toBe('exit-code=2\n');
    expect(ran.stderr.trim()).toBe(
      'oauth-conformance: --profile: unknown profile nope (known: atlas, cloud-manager, rfc6749)',
    );
    expect(ran.stdout).toContain('::error title=oauth-conformance::the job is misconfigured');
  });
});

/** A job with its `extends` chain resolved (variables merged, the rest replaced), as GitLab does. */
function resolveJob(name: string): GitlabJob {
  const job = gitlab[name];
  if (!job) throw new Error(`no job ${name} in the GitLab template`);
  if (!job.extends) return job;
  const parent = resolveJob(job.extends);
  return { ...parent, ...job, variables: { ...parent.variables, ...job.variables } };
}

/** Variables expanded as GitLab expands them: `$NAME` and `${NAME}` from the job and predefined ones. */
function expandVariables(
  variables: Record<string, string>,
  predefined: Record<string, string>,
): Record<string, string> {
  const all = { ...predefined, ...variables };
  const expand = (value: string) =>
    value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => all[name] ?? whole);
  return Object.fromEntries(Object.entries(all).map(([name, value]) => [name, expand(value)]));
}

describe('the GitLab template (ci/gitlab/oauth-conformance.gitlab-ci.yml)', () => {
  test('its shape: hidden jobs; a clone and install of the suite; exit 3 allowed; reports kept', () => {
    expect(Object.keys(gitlab).every((name) => name.startsWith('.'))).toBe(true);
    const run = resolveJob('.oauth-conformance');
    expect(run.before_script).toEqual([
      'git clone --quiet --depth 1 --branch "$OC_REF" "$OC_REPOSITORY" "$OC_HOME"',
      'npm ci --prefix "$OC_HOME" --omit=dev --no-audit --no-fund',
    ]);
    for (const variable of ['OC_TARGET', 'OC_PROFILE', 'OC_CONFIG', 'OC_ALLOW', 'OC_REPORTS'])
      expect(run.variables, variable).toHaveProperty(variable);
    expect(run.allow_failure?.exit_codes).toEqual([3]);
    expect(run.artifacts).toEqual({
      when: 'always',
      paths: ['oauth-conformance/'],
      reports: { junit: 'oauth-conformance/*/junit.xml' },
    });
    const merge = resolveJob('.oauth-conformance-merge');
    expect(merge.when).toBe('always');
    // The merged overview links into the runs' reports: they travel with it.
    expect(merge.artifacts?.paths).toEqual(['oauth-conformance-merged/', 'oauth-conformance/']);
  });

  test('a matrix of two runs and the merge job, their scripts run as the runner would', async () => {
    const workspace = tempDir('gitlab');
    const predefined = (slug: string) => ({ CI_PROJECT_DIR: workspace, CI_JOB_NAME_SLUG: slug });
    // OC_HOME is where before_script clones the suite: this checkout stands in for the clone.
    const home = PACKAGE_ROOT.replace(/\/$/, '');
    writeJson(workspace, 'allow.json', STALE_ALLOW);
    const runJob = resolveJob('.oauth-conformance');
    const jobs = [
      ['conformance-embedded', {}],
      ['conformance-rfc6749', { OC_PROFILE: 'rfc6749', OC_ALLOW: 'allow.json' }],
    ] as const;
    // One after the other: two runs at once on a loaded 2-core machine slow the embedded mock's
    // rate-limit burst (its clock is 4x faster) past its window.
    const runs = [];
    for (const [slug, overrides] of jobs) {
      const env = expandVariables({ ...runJob.variables, ...overrides }, predefined(slug));
      runs.push(await bash((runJob.script ?? []).join('\n'), workspace, { ...env, OC_HOME: home }));
    }
    expect(runs[0]?.code, runs[0]?.stdout).toBe(0);
    // rfc6749 against the mock fails (its Digest challenge), and the allow entry is stale.
    expect(runs[1]?.code).toBe(1);
    expect(runs[1]?.stdout).toContain('stale allowance, which fails the run: token.200.status');
    expect(runs[0]?.stdout).not.toContain('::stop-commands::');
    for (const [slug] of jobs)
      expect(existsSync(join(workspace, 'oauth-conformance', slug, 'junit.xml')), slug).toBe(true);

    const mergeJob = resolveJob('.oauth-conformance-merge');
    const env = expandVariables(mergeJob.variables ?? {}, predefined('conformance-merge'));
    const merged = await bash((mergeJob.script ?? []).join('\n'), workspace, {
      ...env,
      OC_HOME: home,
    });
    expect(merged.code, merged.stdout + merged.stderr).toBe(1);
    expect(merged.stdout).toContain('  ✓ embedded reference mock (atlas): passed');
    expect(merged.stdout).toContain('  ✗ embedded reference mock (rfc6749): failed');
    expect(existsSync(join(workspace, 'oauth-conformance-merged', 'junit.xml'))).toBe(true);
  }, 240_000);
});
