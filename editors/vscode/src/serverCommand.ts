/**
 * Which process to start as the language server. Order (issue 6): the explicit command setting, else the
 * configured interpreter running the server module, else the default Python on PATH.
 */
import type { Settings } from "./settings";

export const SERVER_MODULE = "pytest_delta_lsp";
export const INSTALL_REQUIREMENT = "pytest-delta[lsp]";

export type CommandSource = "server.command" | "interpreter" | "default";

export interface ServerCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly source: CommandSource;
  /** The Python that runs the server, when it is known; the install hint targets it. */
  readonly python: string | undefined;
}

export function defaultPython(platform: string): string {
  return platform === "win32" ? "python" : "python3";
}

export function resolveServerCommand(settings: Settings, platform: string): ServerCommand {
  if (settings.serverCommand.length > 0) {
    const [command, ...args] = settings.serverCommand;
    return Object.freeze({ command, args: Object.freeze(args), source: "server.command", python: undefined });
  }
  const python = settings.interpreter ?? defaultPython(platform);
  return Object.freeze({
    command: python,
    args: Object.freeze(["-m", SERVER_MODULE]),
    source: settings.interpreter === undefined ? "default" : "interpreter",
    python,
  });
}

function quoteForShell(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `"${word.replace(/(["\\$`])/g, "\\$1")}"`;
}

/** A command the user can paste into a terminal to install the server where the extension will look for it. */
export function installCommand(server: ServerCommand): string {
  const requirement = `"${INSTALL_REQUIREMENT}"`;
  if (server.python === undefined) {
    return `pip install ${requirement}`;
  }
  return `${quoteForShell(server.python)} -m pip install ${requirement}`;
}

export function describeCommand(server: ServerCommand): string {
  return [server.command, ...server.args].map(quoteForShell).join(" ");
}
