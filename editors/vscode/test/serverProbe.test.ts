import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import { resolveServerCommand } from "../src/serverCommand";
import { classifyProbe, probeFailureMessage, probeServer, runForOutcome } from "../src/serverProbe";
import { readSettings } from "../src/settings";
import { pythonWithoutServer, pythonWithServer, tempDir } from "./support/fakePython";

function serverFor(values: Record<string, unknown>) {
  const settings = readSettings(
    { get: <T>(key: string) => values[key] as T | undefined },
    { workspaceFolder: "/p", userHome: "/h", env: {} },
  );
  return resolveServerCommand(settings, "linux");
}

describe("server probe", () => {
  it("reports the version of an installed server", async () => {
    const python = pythonWithServer(tempDir("python-"), "0.3.1");
    assert.deepEqual(await probeServer(serverFor({ interpreter: python }), undefined), {
      kind: "ok",
      version: "pytest-delta-lsp 0.3.1",
    });
  });

  it("tells a missing executable from a missing package", async () => {
    const dir = tempDir("python-");
    const missing = await probeServer(serverFor({ interpreter: path.join(dir, "nope") }), undefined);
    assert.equal(missing.kind, "not-found");
    const bare = await probeServer(serverFor({ interpreter: pythonWithoutServer(dir) }), undefined);
    assert.deepEqual(bare, { kind: "not-installed", detail: "No module named pytest_delta_lsp" });
  });

  it("reports other failures with the last line of stderr", () => {
    const result = classifyProbe({ exitCode: 2, stdout: "", stderr: "Traceback...\nImportError: bad magic number\n", timedOut: false });
    assert.deepEqual(result, { kind: "failed", detail: "exit code 2: ImportError: bad magic number" });
  });

  it("lets the client try when the version check is only slow", async () => {
    const outcome = await runForOutcome(process.execPath, ["-e", "setTimeout(() => {}, 5000)"], undefined, 100);
    assert.equal(outcome.timedOut, true);
    assert.equal(classifyProbe(outcome).kind, "ok");
  });

  it("writes messages that name the setting or the install command", () => {
    const fromSetting = serverFor({ "server.command": ["/opt/bin/pytest-delta-lsp"] });
    assert.equal(
      probeFailureMessage(fromSetting, { kind: "not-found", detail: "spawn ENOENT" }),
      'pytest-delta: the language server command "/opt/bin/pytest-delta-lsp" was not found (setting ' +
        'pytestDelta.server.command). Install the server with: pip install "pytest-delta[lsp]", or fix the setting.',
    );
    const fromDefault = serverFor({});
    assert.equal(
      probeFailureMessage(fromDefault, { kind: "not-found", detail: "spawn python3 ENOENT" }),
      'pytest-delta: Python "python3" was not found. Set pytestDelta.interpreter to your project\'s Python, ' +
        'and install the language server into it: python3 -m pip install "pytest-delta[lsp]"',
    );
    assert.match(
      probeFailureMessage(fromDefault, { kind: "failed", detail: "exit code 1: SyntaxError" }),
      /failed to start \(python3 -m pytest_delta_lsp: exit code 1: SyntaxError\)\. Reinstall it with: python3 -m pip install "pytest-delta\[lsp\]"/,
    );
  });
});
