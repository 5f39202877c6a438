import assert from "node:assert/strict";
import * as path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { eventually, fakeContext, FakeVscode, loadExtension, STATE } from "./support/fakes";
import { pythonWithoutServer, pythonWithServer, tempDir } from "./support/fakePython";

const SERVER_IDS = ["pytestDelta.runAffected", "pytestDelta.runTest", "pytestDelta.rebuild"];

/** An answer to pytestDelta/affectedTests, shaped like the server's. */
function affected(...nodeIds: string[]): unknown {
  const tests = nodeIds.map((nodeId) => ({
    nodeId,
    uri: `file:///project/${nodeId.split("::")[0]}`,
    range: { start: { line: 3, character: 4 }, end: { line: 3, character: 14 } },
    status: "affected",
    reason: "affected: src/shop/cart.py changed",
    chain: [nodeId.split("::")[0], "src/shop/cart.py"],
  }));
  return { state: "ready", snapshot: true, tests };
}

describe("activation", () => {
  let project: string;
  let fake: FakeVscode;
  let context: ReturnType<typeof fakeContext>;

  beforeEach(() => {
    project = tempDir("delta-project-");
    fake = new FakeVscode(project);
    fake.server = { commands: SERVER_IDS, respond: () => [] };
    context = fakeContext();
  });

  afterEach(() => {
    for (const subscription of context.subscriptions) {
      subscription.dispose();
    }
  });

  it("starts the server with the configured interpreter and passes the settings as initializationOptions", async () => {
    const python = pythonWithServer(tempDir("python-"));
    fake.settings.set("pytestDelta.interpreter", python);
    fake.settings.set("pytestDelta.pytestArgs", ["-x", "-q"]);
    fake.settings.set("pytestDelta.deltaFile", "${workspaceFolder}/.cache/delta.msgpack");
    fake.settings.set("pytestDelta.debounceMs", 50);

    await loadExtension(fake).activate(context as never);

    assert.equal(fake.clients.length, 1);
    const [client] = fake.clients;
    assert.equal(client.id, "pytestDelta");
    assert.deepEqual(client.serverOptions, { command: python, args: ["-m", "pytest_delta_lsp"], options: { cwd: project } });
    assert.deepEqual(client.clientOptions.initializationOptions, {
      interpreter: python,
      pytestArgs: ["-x", "-q"],
      deltaFile: path.join(project, ".cache/delta.msgpack"),
      debounceMs: 50,
    });
    assert.deepEqual(client.clientOptions.documentSelector, [{ scheme: "file", language: "python" }]);
    assert.equal(client.state, STATE.Running);
    assert.deepEqual(fake.messages, []);
  });

  it("registers its own palette commands next to the client's server commands without clashing", async () => {
    fake.settings.set("pytestDelta.interpreter", pythonWithServer(tempDir("python-")));

    await loadExtension(fake).activate(context as never);

    assert.deepEqual([...fake.commands.keys()].sort(), [
      "pytest-delta.rebuildIndex",
      "pytest-delta.restartServer",
      "pytest-delta.runAffectedTests",
      "pytest-delta.runThisTest",
      "pytest-delta.showServerLog",
      ...SERVER_IDS,
    ].sort());
  });

  it("prefers pytestDelta.server.command over the interpreter", async () => {
    const dir = tempDir("python-");
    const python = pythonWithServer(dir);
    fake.settings.set("pytestDelta.server.command", [python, "-m", "pytest_delta_lsp"]);
    fake.settings.set("pytestDelta.interpreter", pythonWithoutServer(dir));

    await loadExtension(fake).activate(context as never);

    assert.equal(fake.clients.length, 1);
    assert.equal(fake.clients[0].serverOptions.command, python);
    assert.deepEqual(fake.clients[0].serverOptions.args, ["-m", "pytest_delta_lsp"]);
  });

  it("shows one actionable error, with the install command, when the interpreter does not exist", async () => {
    const missing = path.join(project, "venv", "bin", "python3");
    fake.settings.set("pytestDelta.interpreter", missing);
    fake.pickAction = () => "Copy Install Command";

    await loadExtension(fake).activate(context as never);

    assert.equal(fake.clients.length, 0, "no language client is started for a missing server");
    const errors = fake.messages.filter((message) => message.level === "error");
    assert.equal(errors.length, 1);
    assert.match(errors[0].text, /Python ".*venv\/bin\/python3" was not found/);
    assert.ok(errors[0].text.includes(`${missing} -m pip install "pytest-delta[lsp]"`), errors[0].text);
    assert.deepEqual(errors[0].actions, ["Copy Install Command", "Open Settings"]);
    await eventually(() => assert.deepEqual(fake.clipboard, [`${missing} -m pip install "pytest-delta[lsp]"`]));
    assert.equal(fake.statusItem.text, "$(error) pytest-delta");
    assert.equal(fake.statusItem.tooltip, errors[0].text);
  });

  it("says the server is not installed when the interpreter lacks the package", async () => {
    const python = pythonWithoutServer(tempDir("python-"));
    fake.settings.set("pytestDelta.interpreter", python);
    fake.pickAction = () => "Open Settings";

    await loadExtension(fake).activate(context as never);

    assert.equal(fake.clients.length, 0);
    const errors = fake.messages.filter((message) => message.level === "error");
    assert.equal(errors.length, 1);
    assert.ok(errors[0].text.includes(`not installed for ${python}`), errors[0].text);
    assert.ok(errors[0].text.includes(`Install it with: ${python} -m pip install "pytest-delta[lsp]"`));
    await eventually(() =>
      assert.deepEqual(fake.executed, [{ id: "workbench.action.openSettings", args: ["pytestDelta"] }]),
    );
  });

  it("shows the affected count in the status bar, and a click runs them through the server", async () => {
    fake.settings.set("pytestDelta.interpreter", pythonWithServer(tempDir("python-")));
    let answer = affected("tests/test_cart.py::test_total", "tests/test_cart.py::TestCart::test_empty");
    let releaseRun: () => void = () => undefined;
    const runFinished = new Promise<void>((resolve) => (releaseRun = resolve));
    fake.server.respond = async (method) => {
      if (method === "pytestDelta/affectedTests") {
        return answer;
      }
      await runFinished;
      return { status: "failed", exitCode: 1, passed: 1, failed: 1, errors: 0, skipped: 0 };
    };

    await loadExtension(fake).activate(context as never);

    await eventually(() => assert.equal(fake.statusItem.text, "$(beaker) 2 affected tests"));
    assert.ok(fake.statusItem.visible);
    assert.match(String(fake.statusItem.tooltip), /tests\/test_cart.py::test_total: affected: src\/shop\/cart.py changed/);
    assert.equal(fake.statusItem.command, "pytest-delta.runAffectedTests");

    const run = fake.vscodeModule().commands.executeCommand(fake.statusItem.command);
    await eventually(() => assert.equal(fake.statusItem.text, "$(sync~spin) pytest-delta: running"));
    answer = affected();
    releaseRun();
    await run;

    const [client] = fake.clients;
    assert.deepEqual(
      client.requests.filter((request) => request.method === "workspace/executeCommand").map((request) => request.params),
      [{ command: "pytestDelta.runAffected", arguments: [] }],
    );
    assert.equal(fake.statusItem.text, "$(check) 0 affected");
    assert.deepEqual(fake.messages, [{ level: "warning", text: "pytest-delta: 1 failed, 1 passed", actions: [] }]);
  });

  it("runs the test under the cursor by its node id", async () => {
    fake.settings.set("pytestDelta.interpreter", pythonWithServer(tempDir("python-")));
    const text = [
      "import pytest",
      "",
      "class TestCart:",
      "    @pytest.mark.slow",
      "    def test_total(self):",
      "        cart = make()",
      "        assert cart.total() == 0",
    ].join("\n");
    fake.activeTextEditor = {
      document: { uri: { fsPath: path.join(project, "tests", "test_cart.py") }, languageId: "python", getText: () => text },
      selection: { active: { line: 6, character: 8 } },
    };

    await loadExtension(fake).activate(context as never);
    await fake.vscodeModule().commands.executeCommand("pytest-delta.runThisTest");

    assert.deepEqual(
      fake.clients[0].requests.filter((request) => request.method === "workspace/executeCommand").map((request) => request.params),
      [{ command: "pytestDelta.runTest", arguments: ["tests/test_cart.py::TestCart::test_total"] }],
    );
  });

  it("sends changed pytest settings to the running server, and restarts it for a new interpreter", async () => {
    const dir = tempDir("python-");
    fake.settings.set("pytestDelta.interpreter", pythonWithServer(dir, "1"));
    await loadExtension(fake).activate(context as never);
    const pytestDelta = { affectsConfiguration: (section: string) => section === "pytestDelta" };

    fake.settings.set("pytestDelta.pytestArgs", ["-k", "cart"]);
    fake.configurationChanged.fire(pytestDelta);
    await eventually(() =>
      assert.deepEqual(fake.clients[0].notifications, [
        { method: "workspace/didChangeConfiguration", params: {
            settings: { interpreter: path.join(dir, "python-with-server"), pytestArgs: ["-k", "cart"], deltaFile: null },
          },
        },
      ]),
    );
    assert.equal(fake.clients.length, 1);

    const other = pythonWithServer(tempDir("python-"), "2");
    fake.settings.set("pytestDelta.interpreter", other);
    fake.configurationChanged.fire(pytestDelta);
    await eventually(() => assert.equal(fake.clients.length, 2));
    assert.ok(fake.clients[0].stopped, "the old server is stopped");
    assert.equal(fake.clients[1].serverOptions.command, other);
  });

  it("stops the server when VS Code disposes the extension", async () => {
    fake.settings.set("pytestDelta.interpreter", pythonWithServer(tempDir("python-")));
    await loadExtension(fake).activate(context as never);

    for (const subscription of context.subscriptions.splice(0)) {
      subscription.dispose();
    }

    await eventually(() => assert.ok(fake.clients[0].stopped));
    assert.equal(fake.statusItem.visible, false);
  });
});
