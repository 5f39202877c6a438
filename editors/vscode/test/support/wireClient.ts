/**
 * A client that talks to the real Python server over stdio with vscode-languageserver-protocol, answering
 * the server's requests the way VS Code does (capability registration, progress tokens, lens refresh) and
 * recording what the server pushes (diagnostics, messages, progress, refresh requests).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from "vscode-languageserver-protocol/node";

export interface Diagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  severity?: number;
  source?: string;
}

export interface Lens {
  range: { start: { line: number; character: number } };
  command?: { title: string; command: string; arguments?: unknown[]; tooltip?: string };
}

/** The client capabilities that matter to this server, as vscode-languageclient 9 announces them. */
export const VSCODE_CAPABILITIES = {
  general: { positionEncodings: ["utf-16"] },
  window: { workDoneProgress: true, showMessage: { messageActionItem: { additionalPropertiesSupport: true } } },
  workspace: {
    configuration: true,
    workspaceFolders: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: true, relativePatternSupport: true },
    executeCommand: { dynamicRegistration: true },
    codeLens: { refreshSupport: true },
  },
  textDocument: {
    synchronization: { dynamicRegistration: true, didSave: true, willSave: true, willSaveWaitUntil: true },
    codeLens: { dynamicRegistration: true },
    publishDiagnostics: { relatedInformation: true, versionSupport: false, codeDescriptionSupport: true, dataSupport: true },
  },
};

export function fileUri(file: string): string {
  return pathToFileURL(file).href;
}

export class WireClient {
  readonly connection: ProtocolConnection;
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly messages: { type: number; message: string }[] = [];
  readonly logs: string[] = [];
  readonly registrations: { id: string; method: string; registerOptions?: unknown }[] = [];
  readonly progress: { token: unknown; value: { kind: string; title?: string; message?: string } }[] = [];
  lensRefreshes = 0;
  stderr = "";
  private readonly versions = new Map<string, number>();
  private exitCode: Promise<number | null>;

  private constructor(
    readonly root: string,
    private readonly child: ChildProcess,
  ) {
    this.exitCode = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
    child.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.connection = createProtocolConnection(
      new StreamMessageReader(child.stdout!),
      new StreamMessageWriter(child.stdin!),
    );
    this.connection.onRequest("client/registerCapability", (params: { registrations: WireClient["registrations"] }) => {
      this.registrations.push(...params.registrations);
      return null;
    });
    this.connection.onRequest("client/unregisterCapability", () => null);
    this.connection.onRequest("window/workDoneProgress/create", () => null);
    this.connection.onRequest("workspace/configuration", (params: { items: unknown[] }) => params.items.map(() => null));
    this.connection.onRequest("workspace/codeLens/refresh", () => {
      this.lensRefreshes += 1;
      return null;
    });
    this.connection.onNotification("textDocument/publishDiagnostics", (params: { uri: string; diagnostics: Diagnostic[] }) => {
      this.diagnostics.set(params.uri, params.diagnostics);
    });
    this.connection.onNotification("window/showMessage", (params: { type: number; message: string }) => this.messages.push(params));
    this.connection.onNotification("window/logMessage", (params: { message: string }) => this.logs.push(params.message));
    this.connection.onNotification("$/progress", (params: WireClient["progress"][number]) => this.progress.push(params));
    this.connection.listen();
  }

  static start(python: string, root: string): WireClient {
    const child = spawn(python, ["-m", "pytest_delta_lsp"], { cwd: root, stdio: ["pipe", "pipe", "pipe"] });
    return new WireClient(root, child);
  }

  uri(relative: string): string {
    return fileUri(path.join(this.root, relative));
  }

  async initialize(initializationOptions: unknown): Promise<{ capabilities: any; serverInfo?: { name: string; version?: string } }> {
    const result = await this.connection.sendRequest("initialize", {
      processId: process.pid,
      clientInfo: { name: "Visual Studio Code", version: "1.82.0" },
      rootUri: fileUri(this.root),
      workspaceFolders: [{ uri: fileUri(this.root), name: path.basename(this.root) }],
      capabilities: VSCODE_CAPABILITIES,
      initializationOptions,
    });
    await this.connection.sendNotification("initialized", {});
    return result as never;
  }

  async open(relative: string): Promise<void> {
    const text = fs.readFileSync(path.join(this.root, relative), "utf8");
    this.versions.set(relative, 1);
    await this.connection.sendNotification("textDocument/didOpen", {
      textDocument: { uri: this.uri(relative), languageId: "python", version: 1, text },
    });
  }

  /** An unsaved edit: the whole buffer's new text, as a full-content change. */
  async change(relative: string, text: string): Promise<void> {
    const version = (this.versions.get(relative) ?? 1) + 1;
    this.versions.set(relative, version);
    await this.connection.sendNotification("textDocument/didChange", {
      textDocument: { uri: this.uri(relative), version },
      contentChanges: [{ text }],
    });
  }

  async save(relative: string, text: string): Promise<void> {
    fs.writeFileSync(path.join(this.root, relative), text);
    await this.connection.sendNotification("textDocument/didSave", { textDocument: { uri: this.uri(relative) } });
  }

  lenses(relative: string): Promise<Lens[]> {
    return this.connection.sendRequest("textDocument/codeLens", { textDocument: { uri: this.uri(relative) } }) as Promise<Lens[]>;
  }

  /** What vscode-languageclient does when a lens (or one of its registered commands) is invoked. */
  executeCommand(command: string, args: unknown[]): Promise<unknown> {
    return this.connection.sendRequest("workspace/executeCommand", { command, arguments: args });
  }

  request(method: string, params: unknown): Promise<unknown> {
    return this.connection.sendRequest(method, params);
  }

  /** shutdown + exit, as the client does on deactivation; resolves with the server's exit code. */
  async stop(): Promise<number | null> {
    await this.connection.sendRequest("shutdown");
    await this.connection.sendNotification("exit");
    const code = await Promise.race([this.exitCode, new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 10000))]);
    this.connection.dispose();
    if (code === "timeout") {
      this.child.kill("SIGKILL");
      throw new Error("the server did not exit within 10 s of shutdown/exit");
    }
    return code;
  }

  kill(): void {
    this.connection.dispose();
    this.child.kill("SIGKILL");
  }
}

/** Polls `probe` until `done` accepts its value; returns the last value either way, for the assertion. */
export async function until<T>(probe: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 30000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await probe();
  }
  return value;
}
