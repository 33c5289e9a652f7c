/**
 * JUnit XML, valid against the Jenkins junit-10.xsd: one testsuite per area, suite properties
 * (target, profile, seed, requests spent), and per testcase its properties as
 * `[[PROPERTY|name=value]]` lines in system-out (the schema allows no properties in a testcase),
 * followed by the redacted exchange of a failure.
 */
import { hostname } from 'node:os';
import { allowanceFailures } from '../report/allowances.ts';
import { escapeMarkup } from './markup.ts';
import type { TestcaseRecord } from './record.ts';
import type { RunReport } from './report.ts';

const attr = (name: string, value: string | number) => `${name}="${escapeMarkup(String(value))}"`;
const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function testcaseProperties(record: TestcaseRecord, report: RunReport): [string, string][] {
  const properties: [string, string][] = [
    ['requirement', record.requirement],
    ['level', record.level],
    ['source', record.source],
    ['trigger', record.trigger],
    ['target', report.target],
    ['profile', report.profile],
    ['seed', String(report.seed)],
    ['outcome', record.outcome],
  ];
  if (record.outcome !== 'passed' && record.outcome !== 'failed' && record.reason)
    properties.push([record.outcome === 'warned' ? 'warning' : record.outcome, record.reason]);
  for (const note of record.notes) properties.push(['note', note]);
  return properties;
}

/** One testcase element (indented for a testsuite), its properties in `system-out`. */
export function testcaseXml(record: TestcaseRecord, report: RunReport): string {
  const lines = [
    `    <testcase ${attr('name', record.name)} ${attr('classname', record.area)} ${attr('time', seconds(record.durationMs))}>`,
  ];
  if (record.outcome === 'skipped')
    lines.push(`      <skipped ${attr('message', record.reason ?? 'skipped')}/>`);
  if (record.outcome === 'allowed')
    lines.push(`      <skipped ${attr('message', `allowed deviation: ${record.reason ?? ''}`)}/>`);
  if (record.outcome === 'errored') {
    lines.push(
      `      <error ${attr('message', record.reason ?? 'suite error')} ${attr('type', 'suite-error')}>${escapeMarkup(record.details ?? '')}</error>`,
    );
  }
  if (record.outcome === 'failed') {
    lines.push(
      `      <failure ${attr('message', record.reason ?? 'failed')} ${attr('type', record.level)}>${escapeMarkup(record.details ?? '')}</failure>`,
    );
  }
  const out = testcaseProperties(record, report).map(
    ([name, value]) => `[[PROPERTY|${name}=${value}]]`,
  );
  if (record.details) out.push('', record.details);
  lines.push(`      <system-out>${escapeMarkup(out.join('\n'))}</system-out>`, '    </testcase>');
  return lines.join('\n');
}

/** The testcase that says an allow entry fails the run (expired, or stale). */
export function allowanceTestcaseXml(failure: { name: string; message: string }): string[] {
  return [
    `    <testcase ${attr('name', failure.name)} ${attr('classname', 'allow')}>`,
    `      <failure ${attr('message', failure.message)} ${attr('type', 'allow-list')}>${escapeMarkup(failure.message)}</failure>`,
    '    </testcase>',
  ];
}

export function junitXml(report: RunReport): string {
  const areas = [...new Set(report.testcases.map((record) => record.area))];
  const suites = areas.map((area) => {
    const records = report.testcases.filter((record) => record.area === area);
    const failures = records.filter((record) => record.outcome === 'failed').length;
    const errored = records.filter((record) => record.outcome === 'errored').length;
    const skipped = records.filter(
      (record) => record.outcome === 'skipped' || record.outcome === 'allowed',
    ).length;
    const time = records.reduce((sum, record) => sum + record.durationMs, 0);
    const suiteProperties: [string, string | number][] = [
      ['target', report.target],
      ['profile', report.profile],
      ['seed', report.seed],
      ['requests.token', report.spent.token],
      ['requests.revoke', report.spent.revoke],
      ['unplanned-429s', report.spent.unplanned429s],
    ];
    return [
      `  <testsuite ${attr('name', area)} ${attr('tests', records.length)} ${attr('failures', failures)} ${attr('errors', errored)} ${attr('skipped', skipped)} ${attr('time', seconds(time))} ${attr('timestamp', report.startedAt)} ${attr('hostname', hostname())}>`,
      '    <properties>',
      ...suiteProperties.map(
        ([name, value]) => `      <property ${attr('name', name)} ${attr('value', value)}/>`,
      ),
      '    </properties>',
      ...records.map((record) => testcaseXml(record, report)),
      '  </testsuite>',
    ].join('\n');
  });
  const crashes = report.crashes.length
    ? [
        `  <testsuite ${attr('name', 'suite errors')} ${attr('tests', report.crashes.length)} ${attr('failures', 0)} ${attr('errors', report.crashes.length)}>`,
        ...report.crashes.map(
          (crash, i) =>
            `    <testcase ${attr('name', `suite error ${i + 1}`)}>\n      <error ${attr('message', crash.split('\n', 1)[0] ?? crash)}>${escapeMarkup(crash)}</error>\n    </testcase>`,
        ),
        '  </testsuite>',
      ]
    : [];
  const aborted = report.aborted
    ? [
        `  <testsuite ${attr('name', 'target')} ${attr('tests', 1)} ${attr('failures', 0)} ${attr('errors', 1)} ${attr('skipped', 0)} ${attr('time', seconds(report.durationMs))} ${attr('timestamp', report.startedAt)} ${attr('hostname', hostname())}>`,
        `    <testcase ${attr('name', `target.reachable [${report.aborted.kind}]`)} ${attr('classname', 'target')} ${attr('time', seconds(report.durationMs))}>`,
        `      <error ${attr('message', report.aborted.reason)} ${attr('type', report.aborted.kind)}>${escapeMarkup(report.aborted.reason)}</error>`,
        '    </testcase>',
        '  </testsuite>',
      ]
    : [];
  // An expired or stale allow entry fails the run: a CI that reads only this file must see it.
  const allowFailures = allowanceFailures(report);
  const allowances = allowFailures.length
    ? [
        `  <testsuite ${attr('name', 'allow list')} ${attr('tests', allowFailures.length)} ${attr('failures', allowFailures.length)} ${attr('errors', 0)}>`,
        ...allowFailures.flatMap(allowanceTestcaseXml),
        '  </testsuite>',
      ]
    : [];
  const errors =
    report.crashes.length +
    (report.aborted ? 1 : 0) +
    report.testcases.filter((record) => record.outcome === 'errored').length;
  const failures =
    report.testcases.filter((record) => record.outcome === 'failed').length + allowFailures.length;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${attr('name', `oauth-conformance ${report.profile}`)} ${attr('tests', report.testcases.length + (report.aborted ? 1 : 0) + allowFailures.length)} ${attr('failures', failures)} ${attr('errors', errors)} ${attr('time', seconds(report.durationMs))}>`,
    ...suites,
    ...aborted,
    ...crashes,
    ...allowances,
    '</testsuites>',
    '',
  ].join('\n');
}
