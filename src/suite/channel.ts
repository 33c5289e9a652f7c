/**
 * The one channel between a testcase in the vitest worker (src/suite/define.ts) and the reporters
 * (src/report/record.ts): what a testcase says about itself, typed, encoded as vitest
 * annotations of one type and decoded on the other side. Neither side spells an annotation.
 */
import type { Level } from '../shared/types.ts';

/** One thing a testcase reports. A later `level` replaces an earlier one (a defined refusal lowers it). */
export type TestcaseMessage =
  | { kind: 'requirement'; id: string }
  | { kind: 'level'; level: Level }
  | { kind: 'trigger'; trigger: string }
  | { kind: 'source'; source: string }
  | { kind: 'note'; text: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'warning'; reason: string }
  | { kind: 'drift'; reason: string }
  | { kind: 'allowed'; reason: string; details: string }
  | { kind: 'failed'; reason: string };

/** The annotation type every message travels under. */
const TYPE = 'oauth-conformance';

/** What the worker side writes to: vitest's TestContext.annotate. */
export interface AnnotationSink {
  annotate(message: string, type?: string): Promise<unknown>;
}

/** Sends one message from inside a testcase. */
export function report(sink: AnnotationSink, message: TestcaseMessage): Promise<unknown> {
  return sink.annotate(JSON.stringify(message), TYPE);
}

/** What the reporters read: a testcase's messages, folded. */
export interface TestcaseReport {
  requirement?: string;
  level?: Level;
  trigger?: string;
  source?: string;
  notes: string[];
  skipped?: string;
  warning?: string;
  drift?: string;
  allowed?: { reason: string; details: string };
  failed?: string;
}

/** Folds a testcase's annotations (others than the channel's are ignored) into its report. */
export function readReport(
  annotations: readonly { type: string; message: string }[],
): TestcaseReport {
  const folded: TestcaseReport = { notes: [] };
  for (const annotation of annotations) {
    if (annotation.type !== TYPE) continue;
    const message = JSON.parse(annotation.message) as TestcaseMessage;
    switch (message.kind) {
      case 'requirement':
        folded.requirement ??= message.id;
        break;
      case 'level':
        folded.level = message.level;
        break;
      case 'trigger':
        folded.trigger ??= message.trigger;
        break;
      case 'source':
        folded.source ??= message.source;
        break;
      case 'note':
        folded.notes.push(message.text);
        break;
      case 'skipped':
        folded.skipped ??= message.reason;
        break;
      case 'warning':
        folded.warning ??= message.reason;
        break;
      case 'drift':
        folded.drift ??= message.reason;
        break;
      case 'allowed':
        folded.allowed ??= { reason: message.reason, details: message.details };
        break;
      case 'failed':
        folded.failed ??= message.reason;
        break;
    }
  }
  return folded;
}
