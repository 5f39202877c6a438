/**
 * The extension's settings as plain values, read through a minimal interface so that tests can feed them without
 * VS Code, plus the settings object that the server receives (initializationOptions and didChangeConfiguration).
 */

/** The part of `vscode.WorkspaceConfiguration` this module needs. */
export interface ConfigurationReader {
  get<T>(section: string): T | undefined;
}

export interface Settings {
  /** Full server command line from `pytestDelta.server.command`; empty means "derive it". */
  readonly serverCommand: readonly string[];
  /** `pytestDelta.interpreter` after variable substitution; undefined when unset. */
  readonly interpreter: string | undefined;
  readonly pytestArgs: readonly string[];
  readonly deltaFile: string | undefined;
  readonly debounceMs: number | undefined;
}

/** Values for `${workspaceFolder}`, `${userHome}`, `~` and `${env:NAME}` in path-like settings. */
export interface SubstitutionContext {
  readonly workspaceFolder: string | undefined;
  readonly userHome: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The server's settings object: only keys the user set, so the server's own defaults apply otherwise. */
export interface ServerSettings {
  interpreter?: string;
  pytestArgs?: string[];
  deltaFile?: string;
  debounceMs?: number;
}

export function substituteVariables(value: string, context: SubstitutionContext): string {
  let result = value.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (match, name, envName) => {
    if (envName !== undefined) {
      return context.env[envName] ?? "";
    }
    if (name === "workspaceFolder") {
      return context.workspaceFolder ?? match;
    }
    return context.userHome;
  });
  if (result === "~" || result.startsWith("~/")) {
    result = context.userHome + result.slice(1);
  }
  return result;
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.filter((item): item is string => typeof item === "string");
  }
  // A single string is accepted for convenience (a path to `pytest-delta-lsp`); it is not split on spaces
  // because paths may contain them.
  if (typeof value === "string" && value.trim() !== "") {
    return [value];
  }
  return [];
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function readSettings(config: ConfigurationReader, context: SubstitutionContext): Settings {
  const substitute = (value: string): string => substituteVariables(value, context);
  const interpreter = nonEmptyString(config.get<unknown>("interpreter"));
  const deltaFile = nonEmptyString(config.get<unknown>("deltaFile"));
  const debounce = config.get<unknown>("debounceMs");
  return Object.freeze({
    serverCommand: Object.freeze(stringList(config.get<unknown>("server.command")).map(substitute)),
    interpreter: interpreter === undefined ? undefined : substitute(interpreter),
    pytestArgs: Object.freeze(stringList(config.get<unknown>("pytestArgs"))),
    deltaFile: deltaFile === undefined ? undefined : substitute(deltaFile),
    debounceMs: typeof debounce === "number" && Number.isFinite(debounce) && debounce >= 0 ? debounce : undefined,
  });
}

export function serverSettings(settings: Settings): ServerSettings {
  const result: ServerSettings = {};
  if (settings.interpreter !== undefined) {
    result.interpreter = settings.interpreter;
  }
  if (settings.pytestArgs.length > 0) {
    result.pytestArgs = [...settings.pytestArgs];
  }
  if (settings.deltaFile !== undefined) {
    result.deltaFile = settings.deltaFile;
  }
  if (settings.debounceMs !== undefined) {
    result.debounceMs = settings.debounceMs;
  }
  return result;
}

/**
 * The didChangeConfiguration payload: the server merges it onto what it has, so a setting the user cleared is
 * sent as null (or an empty list) to reset it, instead of being left out.
 */
export function serverSettingsChange(settings: Settings): Record<string, unknown> {
  return {
    interpreter: settings.interpreter ?? null,
    pytestArgs: [...settings.pytestArgs],
    deltaFile: settings.deltaFile ?? null,
    ...(settings.debounceMs === undefined ? {} : { debounceMs: settings.debounceMs }),
  };
}

/** Settings whose change needs a new server process rather than a didChangeConfiguration. */
export function needsRestart(before: Settings, after: Settings): boolean {
  return (
    before.interpreter !== after.interpreter ||
    before.serverCommand.length !== after.serverCommand.length ||
    before.serverCommand.some((part, index) => part !== after.serverCommand[index])
  );
}
