/**
 * Executables that stand in for a Python interpreter in activation tests: the extension only runs
 * `<python> -m pytest_delta_lsp --version` before starting the client, so a small node script can answer it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!${process.execPath}\n${body}\n`, { mode: 0o755 });
  return file;
}

/** A "python" that has pytest_delta_lsp installed (answers --version). */
export function pythonWithServer(dir: string, version = "0.1.0"): string {
  return script(
    dir,
    "python-with-server",
    `if (process.argv.slice(2).join(" ") === "-m pytest_delta_lsp --version") {
       process.stdout.write("pytest-delta-lsp ${version}\\n");
       process.exit(0);
     }
     process.exit(3);`,
  );
}

/** A "python" without the package: what `python -m missing_module` prints. */
export function pythonWithoutServer(dir: string): string {
  return script(
    dir,
    "python-without-server",
    `process.stderr.write(process.argv[1] + ": No module named pytest_delta_lsp\\n");
     process.exit(1);`,
  );
}
