/**
 * The packaged extension, as VS Code would install it: `npm test` builds build/pytest-delta.vsix first (vsce
 * package), and these tests read it back.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { EXTENSION_COMMANDS, SERVER_COMMANDS } from "../src/protocol";
import { fakeContext, FakeVscode } from "./support/fakes";
import { tempDir } from "./support/fakePython";
import { readZip } from "./support/zip";

const ROOT = path.resolve(__dirname, "..", "..");
const VSIX = path.join(ROOT, "build", "pytest-delta.vsix");

async function packagedManifest(): Promise<{ manifest: any; files: Map<string, Buffer> }> {
  assert.ok(fs.existsSync(VSIX), `${VSIX} is missing: run "npm run build" (npm test does)`);
  const files = await readZip(VSIX);
  const manifest = files.get("extension/package.json");
  assert.ok(manifest !== undefined, "the .vsix has no extension/package.json");
  return { manifest: JSON.parse(manifest.toString("utf8")), files };
}

/** `^1.82.0` -> [1, 82, 0] */
function minimumVersion(range: string): number[] {
  const match = /^\^?(\d+)\.(\d+)\.(\d+)$/.exec(range);
  assert.ok(match !== null, `unexpected version range ${range}`);
  return match.slice(1).map(Number);
}

describe("the .vsix package", () => {
  it("contributes the palette commands, under the pytest-delta category, and none of the server's ids", async () => {
    const { manifest } = await packagedManifest();
    const commands = new Map<string, { title: string; category: string }>(
      manifest.contributes.commands.map((command: { command: string; title: string; category: string }) => [command.command, command]),
    );
    assert.deepEqual([...commands.keys()].sort(), Object.values(EXTENSION_COMMANDS).sort());
    assert.equal(commands.get(EXTENSION_COMMANDS.runAffected)?.title, "Run Affected Tests");
    assert.equal(commands.get(EXTENSION_COMMANDS.runThisTest)?.title, "Run This Test");
    assert.equal(commands.get(EXTENSION_COMMANDS.rebuild)?.title, "Rebuild Index");
    for (const command of commands.values()) {
      assert.equal(command.category, "pytest-delta");
    }
    for (const serverId of Object.values(SERVER_COMMANDS)) {
      assert.ok(!commands.has(serverId), `${serverId} belongs to the language client`);
    }
  });

  it("binds a key and a title-bar button to Run Affected Tests in Python test files", async () => {
    const { manifest } = await packagedManifest();
    const keys = manifest.contributes.keybindings.filter((binding: { command: string }) => binding.command === EXTENSION_COMMANDS.runAffected);
    assert.equal(keys.length, 1);
    assert.match(keys[0].when, /editorLangId == python/);
    const [button] = manifest.contributes.menus["editor/title"];
    assert.equal(button.command, EXTENSION_COMMANDS.runAffected);
    assert.equal(button.group, "navigation");
    const testFile = new RegExp(/resourceFilename =~ \/(.*)\/$/.exec(button.when)![1]);
    assert.ok(testFile.test("test_cart.py") && testFile.test("cart_test.py"));
    assert.ok(!testFile.test("cart.py") && !testFile.test("test_cart.pyc"));
  });

  it("declares the settings the server reads, and the server command setting", async () => {
    const { manifest } = await packagedManifest();
    assert.deepEqual(Object.keys(manifest.contributes.configuration.properties).sort(), [
      "pytestDelta.debounceMs",
      "pytestDelta.deltaFile",
      "pytestDelta.interpreter",
      "pytestDelta.pytestArgs",
      "pytestDelta.server.command",
      "pytestDelta.trace.server",
    ]);
  });

  it("declares a VS Code version the bundled language client supports", async () => {
    const { manifest } = await packagedManifest();
    const clientPackage = JSON.parse(
      fs.readFileSync(path.join(ROOT, "node_modules", "vscode-languageclient", "package.json"), "utf8"),
    );
    const declared = minimumVersion(manifest.engines.vscode);
    const needed = minimumVersion(clientPackage.engines.vscode);
    assert.ok(
      declared[0] > needed[0] || (declared[0] === needed[0] && declared[1] >= needed[1]),
      `engines.vscode ${manifest.engines.vscode} is older than vscode-languageclient needs (${clientPackage.engines.vscode})`,
    );
    assert.ok(manifest.activationEvents.includes("onLanguage:python"));
  });

  it("ships one bundle that loads with only `vscode` external and exports activate/deactivate", async () => {
    const { manifest, files } = await packagedManifest();
    const entry = path.posix.join("extension", manifest.main);
    const bundle = files.get(entry);
    assert.ok(bundle !== undefined, `${entry} is not in the package`);
    assert.ok(![...files.keys()].some((name) => name.startsWith("extension/node_modules/")), "dependencies are bundled");
    assert.ok(![...files.keys()].some((name) => name.startsWith("extension/src/")), "sources are not shipped");

    const dir = tempDir("vsix-");
    const file = path.join(dir, "extension.js");
    fs.writeFileSync(file, bundle);
    const fake = new FakeVscode(dir);
    const Module = require("node:module");
    const originalLoad = Module._load;
    Module._load = function (request: string, ...rest: unknown[]) {
      return request === "vscode" ? fake.permissiveVscodeModule() : originalLoad.call(this, request, ...rest);
    };
    try {
      const loaded = require(file);
      assert.equal(typeof loaded.activate, "function");
      assert.equal(typeof loaded.deactivate, "function");
      // A workspace without folders: activation must finish without starting anything.
      fake.workspaceFolders = [];
      const context = fakeContext();
      await loaded.activate(context);
      assert.equal(fake.clients.length, 0);
      assert.ok(fake.commands.has(EXTENSION_COMMANDS.runAffected));
      for (const subscription of context.subscriptions) {
        subscription.dispose();
      }
    } finally {
      Module._load = originalLoad;
    }
  });
});
