import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AffectedAnswer, AffectedTest } from "../src/protocol";
import { AffectedStatus, statusView, type StatusItem } from "../src/statusBar";

function test(nodeId: string, reason: unknown = "src/shop/cart.py changed"): AffectedTest {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  return { nodeId, uri: "file:///p/tests/test_x.py", range, reason };
}

function item(): StatusItem & { visible: boolean } {
  return {
    text: "",
    tooltip: undefined,
    command: undefined,
    backgroundColor: undefined,
    visible: false,
    show() {
      this.visible = true;
    },
    hide() {
      this.visible = false;
    },
  };
}

function ready(tests: AffectedTest[]): AffectedAnswer {
  return { state: "ready", snapshot: true, tests };
}

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe("status bar view", () => {
  it("counts affected tests, in the singular too, and clicks run them", () => {
    assert.equal(statusView({ kind: "ready", tests: [test("a")] }).text, "$(beaker) 1 affected test");
    const view = statusView({ kind: "ready", tests: [test("t::a"), test("t::b")] });
    assert.equal(view.text, "$(beaker) 2 affected tests");
    assert.equal(view.command, "pytest-delta.runAffectedTests");
    assert.equal(view.tooltip, "pytest-delta: click to run 2 affected tests\nt::a: src/shop/cart.py changed\nt::b: src/shop/cart.py changed");
  });

  it("lists at most ten tests in the tooltip", () => {
    const tests = Array.from({ length: 13 }, (_, index) => test(`t::test_${index}`, "affected: a.py changed"));
    const lines = statusView({ kind: "ready", tests }).tooltip.split("\n");
    assert.equal(lines.length, 12);
    assert.equal(lines[1], "t::test_0: affected: a.py changed");
    assert.equal(lines[11], "… and 3 more");
  });

  it("adds the import chain when the change is reached through other modules", () => {
    const chained = { ...test("tests/test_report.py::test_text"), reason: "affected: src/shop/pricing.py changed" };
    chained.chain = ["tests/test_report.py", "src/shop/report.py", "src/shop/pricing.py"];
    const direct = { ...test("tests/test_pricing.py::test_vat"), reason: "affected: src/shop/pricing.py changed" };
    direct.chain = ["tests/test_pricing.py", "src/shop/pricing.py"];
    assert.deepEqual(statusView({ kind: "ready", tests: [chained, direct] }).tooltip.split("\n").slice(1), [
      "tests/test_report.py::test_text: affected: src/shop/pricing.py changed " +
        "(tests/test_report.py → src/shop/report.py → src/shop/pricing.py)",
      "tests/test_pricing.py::test_vat: affected: src/shop/pricing.py changed",
    ]);
  });

  it("says when there is no snapshot yet, and while the server indexes", () => {
    const tooltip = statusView({ kind: "ready", tests: [test("t::a")], snapshot: false }).tooltip;
    assert.match(tooltip.split("\n")[1], /No snapshot yet/);
    assert.equal(statusView({ kind: "indexing" }).text, "$(sync~spin) pytest-delta: indexing");
  });

  it("shows errors with the message as tooltip, and hides when stopped", () => {
    const error = statusView({ kind: "error", message: "pytest-delta: boom" });
    assert.deepEqual([error.text, error.tooltip, error.isError], ["$(error) pytest-delta", "pytest-delta: boom", true]);
    assert.equal(statusView({ kind: "stopped" }).visible, false);
  });
});

describe("status bar updates", () => {
  it("drops an answer that arrives after a newer one", async () => {
    const statusItem = item();
    const status = new AffectedStatus(statusItem, "red");
    const slow = deferred<AffectedAnswer>();
    const first = status.refresh(() => slow.promise);
    await status.refresh(async () => ready([test("t::new")]));
    slow.resolve(ready([test("t::old1"), test("t::old2")]));
    await first;
    assert.equal(statusItem.text, "$(beaker) 1 affected test");
  });

  it("keeps showing a run until the run's own refresh replaces it", async () => {
    const statusItem = item();
    const status = new AffectedStatus(statusItem, "red");
    status.set({ kind: "running", what: "running the affected tests" });
    await status.refresh(async () => ready([test("t::a")]));
    assert.equal(statusItem.text, "$(sync~spin) pytest-delta: running");
    await status.refresh(async () => ready([]), true);
    assert.equal(statusItem.text, "$(check) 0 affected");
  });

  it("shows indexing while the server says so, then the count", async () => {
    const statusItem = item();
    const status = new AffectedStatus(statusItem, "red");
    await status.refresh(async () => ({ state: "indexing", snapshot: false, tests: [] }));
    assert.equal(statusItem.text, "$(sync~spin) pytest-delta: indexing");
    await status.refresh(async () => ready([test("t::a")]));
    assert.equal(statusItem.text, "$(beaker) 1 affected test");
  });

  it("turns a failed request into an error state with the colour set", async () => {
    const statusItem = item();
    const status = new AffectedStatus(statusItem, "red");
    await status.refresh(async () => {
      throw new Error("Request pytestDelta/affectedTests failed");
    });
    assert.equal(statusItem.text, "$(error) pytest-delta");
    assert.equal(statusItem.backgroundColor, "red");
    assert.equal(statusItem.tooltip, "pytest-delta: could not list affected tests: Request pytestDelta/affectedTests failed");
  });
});
