import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { installCommand, resolveServerCommand } from "../src/serverCommand";
import {
  needsRestart,
  readSettings,
  serverSettings,
  serverSettingsChange,
  substituteVariables,
  type SubstitutionContext,
} from "../src/settings";

const CONTEXT: SubstitutionContext = { workspaceFolder: "/work/shop", userHome: "/home/ada", env: { VENV: "/opt/venv" } };

function settingsFrom(values: Record<string, unknown>) {
  return readSettings({ get: <T>(key: string) => values[key] as T | undefined }, CONTEXT);
}

describe("settings", () => {
  it("expands workspace, home, environment variables and ~ in paths", () => {
    assert.equal(substituteVariables("${workspaceFolder}/.venv/bin/python", CONTEXT), "/work/shop/.venv/bin/python");
    assert.equal(substituteVariables("~/venvs/shop/bin/python", CONTEXT), "/home/ada/venvs/shop/bin/python");
    assert.equal(substituteVariables("${env:VENV}/bin/python", CONTEXT), "/opt/venv/bin/python");
    assert.equal(substituteVariables("${userHome}/x", CONTEXT), "/home/ada/x");
    assert.equal(substituteVariables("${env:UNSET}/python", CONTEXT), "/python");
  });

  it("treats empty strings as unset and ignores values of the wrong type", () => {
    const settings = settingsFrom({ interpreter: "  ", deltaFile: "", pytestArgs: "-x", debounceMs: "fast" });
    assert.equal(settings.interpreter, undefined);
    assert.equal(settings.deltaFile, undefined);
    assert.deepEqual(settings.pytestArgs, ["-x"]);
    assert.equal(settings.debounceMs, undefined);
    assert.deepEqual(serverSettings(settings), { pytestArgs: ["-x"] });
  });

  it("sends the server only the settings the user set", () => {
    assert.deepEqual(serverSettings(settingsFrom({})), {});
    assert.deepEqual(
      serverSettings(settingsFrom({ interpreter: "${workspaceFolder}/.venv/bin/python", debounceMs: 0, deltaFile: "d.msgpack" })),
      { interpreter: "/work/shop/.venv/bin/python", debounceMs: 0, deltaFile: "d.msgpack" },
    );
  });

  it("resets cleared settings on the server, which merges changes onto what it has", () => {
    assert.deepEqual(serverSettingsChange(settingsFrom({})), { interpreter: null, pytestArgs: [], deltaFile: null });
    assert.deepEqual(serverSettingsChange(settingsFrom({ pytestArgs: ["-q"], debounceMs: 10 })), {
      interpreter: null,
      pytestArgs: ["-q"],
      deltaFile: null,
      debounceMs: 10,
    });
  });

  it("restarts the server only for settings that change the server process", () => {
    const base = settingsFrom({ interpreter: "/usr/bin/python3", pytestArgs: ["-x"] });
    assert.equal(needsRestart(base, settingsFrom({ interpreter: "/usr/bin/python3", pytestArgs: ["-q"] })), false);
    assert.equal(needsRestart(base, settingsFrom({ interpreter: "/opt/python" })), true);
    assert.equal(needsRestart(base, settingsFrom({ interpreter: "/usr/bin/python3", "server.command": ["lsp"] })), true);
  });
});

describe("server command resolution", () => {
  it("uses pytestDelta.server.command first, with its arguments", () => {
    const server = resolveServerCommand(
      settingsFrom({ "server.command": ["${workspaceFolder}/.venv/bin/pytest-delta-lsp", "--log-level", "debug"], interpreter: "/usr/bin/python3" }),
      "linux",
    );
    assert.deepEqual(server, {
      command: "/work/shop/.venv/bin/pytest-delta-lsp",
      args: ["--log-level", "debug"],
      source: "server.command",
      python: undefined,
    });
    assert.equal(installCommand(server), 'pip install "pytest-delta[lsp]"');
  });

  it("runs the server module with pytestDelta.interpreter when no command is set", () => {
    const server = resolveServerCommand(settingsFrom({ interpreter: "~/my venv/bin/python" }), "linux");
    assert.deepEqual(server, {
      command: "/home/ada/my venv/bin/python",
      args: ["-m", "pytest_delta_lsp"],
      source: "interpreter",
      python: "/home/ada/my venv/bin/python",
    });
    assert.equal(installCommand(server), '"/home/ada/my venv/bin/python" -m pip install "pytest-delta[lsp]"');
  });

  it("falls back to python3 on PATH (python on Windows)", () => {
    assert.deepEqual(resolveServerCommand(settingsFrom({}), "linux"), {
      command: "python3",
      args: ["-m", "pytest_delta_lsp"],
      source: "default",
      python: "python3",
    });
    assert.equal(resolveServerCommand(settingsFrom({}), "win32").command, "python");
  });
});
