/**
 * Starting the server once with `--version` before handing it to the language client: a missing Python or a
 * missing package then becomes one message with the install command, instead of the client's generic
 * "server crashed 5 times" notifications.
 */
import { spawn } from "node:child_process";
import { describeCommand, installCommand, type ServerCommand } from "./serverCommand";

export type ProbeResult =
  | { readonly kind: "ok"; readonly version: string }
  | { readonly kind: "not-found"; readonly detail: string }
  | { readonly kind: "not-installed"; readonly detail: string }
  | { readonly kind: "failed"; readonly detail: string };

export interface ProcessOutcome {
  /** Set when the process could not be started at all (ENOENT, EACCES, ...). */
  readonly spawnError?: NodeJS.ErrnoException;
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

const MISSING_MODULE = /No module named '?(pytest_delta_lsp|pytest_delta|pygls|lsprotocol)\b/;

export function classifyProbe(outcome: ProcessOutcome): ProbeResult {
  if (outcome.spawnError !== undefined) {
    const code = outcome.spawnError.code;
    if (code === "ENOENT") {
      return { kind: "not-found", detail: outcome.spawnError.message };
    }
    return { kind: "failed", detail: outcome.spawnError.message };
  }
  if (outcome.timedOut) {
    // A slow machine is not a broken install: let the language client try.
    return { kind: "ok", version: "unknown (the version check timed out)" };
  }
  if (outcome.exitCode === 0) {
    return { kind: "ok", version: outcome.stdout.trim() || outcome.stderr.trim() || "unknown" };
  }
  const missing = MISSING_MODULE.exec(outcome.stderr);
  if (missing !== null) {
    return { kind: "not-installed", detail: missing[0] };
  }
  const lastLine = outcome.stderr.trim().split(/\r?\n/).pop() ?? "";
  return { kind: "failed", detail: `exit code ${outcome.exitCode}${lastLine ? `: ${lastLine}` : ""}` };
}

export function runForOutcome(
  command: string,
  args: readonly string[],
  cwd: string | undefined,
  timeoutMs: number,
): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    const finish = (outcome: ProcessOutcome): void => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      }
    };
    const child = spawn(command, [...args], { cwd, stdio: ["ignore", "pipe", "pipe"], windowsHide: true });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill();
    }, timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", (error: NodeJS.ErrnoException) =>
      finish({ spawnError: error, exitCode: null, stdout, stderr, timedOut }),
    );
    child.on("close", (code) => finish({ exitCode: code, stdout, stderr, timedOut }));
  });
}

export async function probeServer(server: ServerCommand, cwd: string | undefined, timeoutMs = 20000): Promise<ProbeResult> {
  return classifyProbe(await runForOutcome(server.command, [...server.args, "--version"], cwd, timeoutMs));
}

/** The one error message a user sees when the server cannot start; it always says what to do next. */
export function probeFailureMessage(server: ServerCommand, result: Exclude<ProbeResult, { kind: "ok" }>): string {
  const install = installCommand(server);
  switch (result.kind) {
    case "not-found":
      if (server.source === "server.command") {
        return (
          `pytest-delta: the language server command "${server.command}" was not found ` +
          `(setting pytestDelta.server.command). Install the server with: ${install}, ` +
          `or fix the setting.`
        );
      }
      return (
        `pytest-delta: Python "${server.command}" was not found. Set pytestDelta.interpreter to your project's ` +
        `Python, and install the language server into it: ${install}`
      );
    case "not-installed":
      return (
        `pytest-delta: the language server is not installed for ${server.python ?? server.command} ` +
        `(${result.detail}). Install it with: ${install}`
      );
    case "failed":
      return (
        `pytest-delta: the language server failed to start (${describeCommand(server)}: ${result.detail}). ` +
        `Reinstall it with: ${install}; the "pytest-delta" output channel has the details.`
      );
  }
}
