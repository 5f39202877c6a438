import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { asAffectedAnswer, describeRun } from "../src/protocol";

describe("server answers", () => {
  it("reads pytestDelta/affectedTests, dropping entries without a node id", () => {
    const test = { nodeId: "tests/test_a.py::test_x", uri: "file:///p/tests/test_a.py", range: {}, reason: "r" };
    assert.deepEqual(asAffectedAnswer({ state: "ready", snapshot: true, tests: [test, { uri: "x" }] }), {
      state: "ready",
      snapshot: true,
      tests: [test],
    });
    assert.deepEqual(asAffectedAnswer({ state: "indexing", snapshot: false, tests: [] }), {
      state: "indexing",
      snapshot: false,
      tests: [],
    });
    assert.deepEqual(asAffectedAnswer(null), { state: "ready", snapshot: true, tests: [] });
  });

  it("summarises a run, leaving refusals and errors to the server's own message", () => {
    assert.deepEqual(describeRun({ status: "failed", passed: 3, failed: 1, errors: 0, skipped: 2 }), {
      text: "pytest-delta: 1 failed, 3 passed, 2 skipped",
      problem: true,
    });
    assert.deepEqual(describeRun({ status: "passed", passed: 1, failed: 0, errors: 0, skipped: 0 }), {
      text: "pytest-delta: 1 passed",
      problem: false,
    });
    assert.deepEqual(describeRun({ status: "passed", passed: 0, failed: 0, errors: 0, skipped: 0 }), {
      text: "pytest-delta: no tests ran",
      problem: false,
    });
    assert.deepEqual(describeRun({ status: "cancelled", passed: 2 }), {
      text: "pytest-delta: run cancelled (2 passed)",
      problem: false,
    });
    assert.equal(describeRun({ status: "refused", message: "pytest is already running" }), undefined);
    assert.equal(describeRun(null), undefined);
  });
});
