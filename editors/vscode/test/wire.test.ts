/**
 * The extension's conversation with the real Python server, over stdio, as vscode-languageclient holds it:
 * initialize with the extension's initializationOptions, open documents, ask for code lenses, and execute
 * lens and palette commands through workspace/executeCommand. Needs a Python with pytest-delta[lsp]:
 * $PYTEST_DELTA_PYTHON, else python3.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { AFFECTED_TESTS_REQUEST, asAffectedAnswer, EXTENSION_COMMANDS, SERVER_COMMANDS } from "../src/protocol";
import { readSettings, serverSettings } from "../src/settings";
import { tempDir } from "./support/fakePython";
import { until, WireClient, type Lens } from "./support/wireClient";

const PYTHON = process.env.PYTEST_DELTA_PYTHON || "python3";

const PROJECT: Record<string, string> = {
  "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\ntestpaths = ["tests"]\n',
  "src/shop/__init__.py": "",
  "src/shop/pricing.py": "def with_vat(amount):\n    return round(amount * 1.2, 2)\n",
  "src/shop/cart.py": "from shop.pricing import with_vat\n\n\ndef total(prices):\n    return with_vat(sum(prices))\n",
  "tests/test_cart.py": [
    "from shop.cart import total",
    "",
    "",
    "def test_total():",
    "    assert total([1.0, 2.0]) == 3.6",
    "",
    "",
    "def test_empty_cart():",
    "    assert total([]) == 0",
    "",
  ].join("\n"),
  "tests/test_pricing.py": "from shop.pricing import with_vat\n\n\ndef test_with_vat():\n    assert with_vat(10) == 12\n",
};
/** Drops the first price: test_total fails, test_empty_cart still passes. */
const BROKEN_CART = "from shop.pricing import with_vat\n\n\ndef total(prices):\n    return with_vat(sum(prices[1:]))\n";
const AFFECTED_LENS = "● affected: src/shop/cart.py changed";

function writeProject(root: string): void {
  for (const [relative, text] of Object.entries(PROJECT)) {
    fs.mkdirSync(path.dirname(path.join(root, relative)), { recursive: true });
    fs.writeFileSync(path.join(root, relative), text);
  }
}

function titles(lenses: Lens[]): [number, string][] {
  return lenses
    .map((lens): [number, string] => [lens.range.start.line, lens.command?.title ?? "(unresolved)"])
    .sort((a, b) => a[0] - b[0]);
}

function requirePython(): void {
  const check = spawnSync(PYTHON, ["-c", "import pytest, pytest_delta, pytest_delta_lsp.server"], { encoding: "utf8" });
  if (check.error !== undefined || check.status !== 0) {
    // Failing, not skipping: CI must install the server. Point PYTEST_DELTA_PYTHON at a Python that has it.
    assert.fail(
      `the wire test needs a Python with pytest-delta[lsp] installed: "${PYTHON}" cannot import it ` +
        `(${check.error?.message ?? check.stderr.trim()}). Set PYTEST_DELTA_PYTHON.`,
    );
  }
}

describe("wire: the extension's requests against the real server", () => {
  let root: string;
  let client: WireClient;

  before(async () => {
    requirePython();
    root = tempDir("delta-wire-");
    writeProject(root);
    client = WireClient.start(PYTHON, root);
  });

  after(() => {
    client?.kill();
  });

  it("initializes with the extension's settings and advertises the commands the extension relies on", async () => {
    const options = serverSettings(
      readSettings(
        { get: <T>(key: string) => ({ pytestArgs: ["-p", "no:cacheprovider"], debounceMs: 100 })[key] as T },
        { workspaceFolder: root, userHome: root, env: {} },
      ),
    );
    const result = await client.initialize(options);
    const commands: string[] = result.capabilities.executeCommandProvider.commands;
    assert.deepEqual([...commands].sort(), Object.values(SERVER_COMMANDS).sort());
    for (const own of Object.values(EXTENSION_COMMANDS)) {
      assert.ok(!commands.includes(own), `${own} would clash with the language client's registration`);
    }
    assert.ok(result.capabilities.codeLensProvider, "the server provides code lenses");
    const answer = await until(
      async () => asAffectedAnswer(await client.request(AFFECTED_TESTS_REQUEST, {})),
      (value) => value.state === "ready",
    );
    assert.equal(answer.state, "ready", "indexing finished");
    assert.equal(answer.snapshot, false, "a fresh project has no snapshot yet");
    assert.ok(client.messages.every((message) => !/unknown setting|must be/.test(message.message)), JSON.stringify(client.messages));
  });

  it("runs everything the first time (the palette command), which writes the baseline", async () => {
    const summary = await client.executeCommand(SERVER_COMMANDS.runAffected, []);
    assert.deepEqual(summary, { status: "passed", exitCode: 0, passed: 3, failed: 0, errors: 0, skipped: 0 });
    assert.ok(fs.existsSync(path.join(root, ".delta.msgpack")), "pytest --delta wrote the snapshot");
    await client.open("tests/test_cart.py");
    await client.open("tests/test_pricing.py");
    const lenses = await until(() => client.lenses("tests/test_cart.py"), (value) => value.length === 0);
    assert.deepEqual(titles(lenses), [], "nothing is affected right after a green run");
  });

  it("shows lenses on exactly the tests that an unsaved edit affects, and asks VS Code to refresh", async () => {
    const refreshesBefore = client.lensRefreshes;
    await client.open("src/shop/cart.py");
    await client.change("src/shop/cart.py", BROKEN_CART);

    const lenses = await until(() => client.lenses("tests/test_cart.py"), (value) => value.length === 3);
    assert.deepEqual(titles(lenses), [
      [0, "▶ Run 2 affected tests"],
      [3, AFFECTED_LENS],
      [7, AFFECTED_LENS],
    ]);
    const byLine = new Map(lenses.map((lens) => [lens.range.start.line, lens.command!]));
    assert.deepEqual(byLine.get(3)!.command, SERVER_COMMANDS.runTest);
    assert.deepEqual(byLine.get(3)!.arguments, ["tests/test_cart.py::test_total"]);
    assert.deepEqual(byLine.get(0)!.command, SERVER_COMMANDS.runAffected);
    assert.deepEqual(titles(await client.lenses("tests/test_pricing.py")), []);
    assert.ok(client.lensRefreshes > refreshesBefore, "the server sent workspace/codeLens/refresh");

    const answer = asAffectedAnswer(await client.request(AFFECTED_TESTS_REQUEST, {}));
    assert.deepEqual(
      answer.tests.map((test) => [test.nodeId, test.range.start.line, test.reason]).sort(),
      [
        ["tests/test_cart.py::test_empty_cart", 7, "affected: src/shop/cart.py changed"],
        ["tests/test_cart.py::test_total", 3, "affected: src/shop/cart.py changed"],
      ],
    );
  });

  it("runs the test of a lens, then publishes a diagnostic at the failing test", async () => {
    await client.save("src/shop/cart.py", BROKEN_CART);
    const lenses = await client.lenses("tests/test_cart.py");
    const lens = lenses.find((candidate) => candidate.range.start.line === 3)!;

    const summary = await client.executeCommand(lens.command!.command, lens.command!.arguments ?? []);

    assert.deepEqual(summary, { status: "failed", exitCode: 1, passed: 0, failed: 1, errors: 0, skipped: 0 });
    const uri = client.uri("tests/test_cart.py");
    const diagnostics = await until(() => client.diagnostics.get(uri) ?? [], (value) => value.length === 1);
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].range.start.line, 3);
    assert.match(diagnostics[0].message, /assert 2\.4 == 3\.6/);
  });

  it("runs the affected tests from the palette: the one that passes loses its lens, the failure stays", async () => {
    const summary = await client.executeCommand(SERVER_COMMANDS.runAffected, []);

    assert.deepEqual(summary, { status: "failed", exitCode: 1, passed: 1, failed: 1, errors: 0, skipped: 0 });
    const lenses = await until(() => client.lenses("tests/test_cart.py"), (value) => value.length === 2);
    assert.deepEqual(titles(lenses), [
      [0, "▶ Run 1 affected test"],
      [3, "✗ failed last run"],
    ]);
    const diagnostics = client.diagnostics.get(client.uri("tests/test_cart.py")) ?? [];
    assert.deepEqual(diagnostics.map((diagnostic) => diagnostic.range.start.line), [3]);
  });

  it("refuses a second run while one is in flight, with a message", async () => {
    const first = client.executeCommand(SERVER_COMMANDS.runAffected, []);
    const second = await client.executeCommand(SERVER_COMMANDS.runTest, ["tests/test_pricing.py::test_with_vat"]);
    assert.equal((second as { status: string }).status, "refused");
    assert.ok(client.messages.some((message) => /already running/.test(message.message)), JSON.stringify(client.messages));
    await first;
  });

  it("shuts down cleanly when the extension stops the client", async () => {
    assert.equal(await client.stop(), 0, client.stderr);
  });
});
