/**
 * The language server's side of the contract (issue 5), in one place so that the extension and the wire test
 * agree with each other and with the server.
 */

/** Commands the server advertises in `executeCommandProvider`; vscode-languageclient registers these ids itself. */
export const SERVER_COMMANDS = {
  runAffected: "pytestDelta.runAffected",
  runTest: "pytestDelta.runTest",
  rebuild: "pytestDelta.rebuild",
} as const;

/** The custom request listing the tests that the current (saved and unsaved) changes affect. */
export const AFFECTED_TESTS_REQUEST = "pytestDelta/affectedTests";

/** The extension's own command ids: distinct from SERVER_COMMANDS, which the language client owns. */
export const EXTENSION_COMMANDS = {
  runAffected: "pytest-delta.runAffectedTests",
  runThisTest: "pytest-delta.runThisTest",
  rebuild: "pytest-delta.rebuildIndex",
  restart: "pytest-delta.restartServer",
  showLog: "pytest-delta.showServerLog",
} as const;

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** One entry of the `pytestDelta/affectedTests` answer. */
export interface AffectedTest {
  nodeId: string;
  uri: string;
  range: Range;
  /** affected | failed | pending | always | untracked */
  status?: string;
  /** One line for humans, e.g. "affected: src/shop/cart.py changed". */
  reason: unknown;
  /** The import chain from the test file to the changed file. */
  chain?: string[];
}

export interface AffectedTestsParams {
  uri?: string;
}

/** The whole answer: `state` is "ready", or "indexing" while the server builds its graph. */
export interface AffectedAnswer {
  state: string;
  /** False when the project has no snapshot yet: then every test counts as affected. */
  snapshot: boolean;
  tests: AffectedTest[];
}

/** What `pytestDelta.runAffected` / `pytestDelta.runTest` answer once pytest has finished. */
export interface RunSummary {
  status: "passed" | "failed" | "cancelled" | "refused" | "error" | string;
  exitCode?: number | null;
  passed?: number;
  failed?: number;
  errors?: number;
  skipped?: number;
  message?: string;
}

function isAffectedTest(value: unknown): value is AffectedTest {
  return typeof value === "object" && value !== null && typeof (value as { nodeId?: unknown }).nodeId === "string";
}

/** Reads the answer defensively: a bare list is accepted too, entries without a node id are dropped. */
export function asAffectedAnswer(result: unknown): AffectedAnswer {
  if (Array.isArray(result)) {
    return { state: "ready", snapshot: true, tests: result.filter(isAffectedTest) };
  }
  const record = typeof result === "object" && result !== null ? (result as Record<string, unknown>) : {};
  return {
    state: typeof record.state === "string" ? record.state : "ready",
    snapshot: record.snapshot !== false,
    tests: Array.isArray(record.tests) ? record.tests.filter(isAffectedTest) : [],
  };
}

function isRunSummary(value: unknown): value is RunSummary {
  return typeof value === "object" && value !== null && typeof (value as { status?: unknown }).status === "string";
}

/** "2 passed, 1 failed" and the like; undefined when there is nothing to tell (the server said it already). */
export function describeRun(result: unknown): { text: string; problem: boolean } | undefined {
  if (!isRunSummary(result)) {
    return undefined;
  }
  if (result.status === "refused" || result.status === "error") {
    // The server has shown its own message (window/showMessage) for these.
    return undefined;
  }
  const parts: string[] = [];
  for (const key of ["failed", "errors", "passed", "skipped"] as const) {
    const count = result[key];
    if (typeof count === "number" && count > 0) {
      parts.push(`${count} ${key === "errors" ? (count === 1 ? "error" : "errors") : key}`);
    }
  }
  const counts = parts.length > 0 ? parts.join(", ") : "no tests ran";
  if (result.status === "cancelled") {
    return { text: `pytest-delta: run cancelled (${counts})`, problem: false };
  }
  return { text: `pytest-delta: ${counts}`, problem: result.status === "failed" };
}
