/**
 * The extension: starts pytest-delta-lsp for the first workspace folder, shows the affected-test count in the
 * status bar, and offers palette commands that go through the server's executeCommand. The lenses come from the
 * server; the language client registers the server's own command ids, so ours are distinct.
 */
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import { LanguageClient, State, type LanguageClientOptions, type ServerOptions } from "vscode-languageclient/node";
import { AFFECTED_TESTS_REQUEST, asAffectedAnswer, describeRun, EXTENSION_COMMANDS, SERVER_COMMANDS } from "./protocol";
import { describeCommand, installCommand, resolveServerCommand, type ServerCommand } from "./serverCommand";
import { probeFailureMessage, probeServer } from "./serverProbe";
import { needsRestart, readSettings, serverSettings, serverSettingsChange, type Settings } from "./settings";
import { AffectedStatus, errorText } from "./statusBar";
import { nodeId, testAt } from "./testAtCursor";

export const CLIENT_ID = "pytestDelta";
const CONFIG_SECTION = "pytestDelta";
/** Time after an edit before asking for the affected tests: the server debounces edits first. */
const EDIT_REFRESH_MARGIN_MS = 250;
const DEFAULT_DEBOUNCE_MS = 300;

export const FIX_ACTIONS = { copyInstall: "Copy Install Command", openSettings: "Open Settings" } as const;

export class DeltaSession implements vscode.Disposable {
  readonly output: vscode.OutputChannel;
  readonly status: AffectedStatus;
  private client: LanguageClient | undefined;
  private settings: Settings | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.output = vscode.window.createOutputChannel("pytest-delta");
    const item = vscode.window.createStatusBarItem("pytestDelta.status", vscode.StatusBarAlignment.Left, 50);
    item.name = "pytest-delta";
    this.status = new AffectedStatus(item, new vscode.ThemeColor("statusBarItem.errorBackground"));
    this.disposables.push(this.output, item);
  }

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  registerCommands(): void {
    this.disposables.push(
      vscode.commands.registerCommand(EXTENSION_COMMANDS.runAffected, () =>
        this.execute(SERVER_COMMANDS.runAffected, [], "running the affected tests"),
      ),
      vscode.commands.registerCommand(EXTENSION_COMMANDS.runThisTest, (id?: unknown) => this.runThisTest(id)),
      vscode.commands.registerCommand(EXTENSION_COMMANDS.rebuild, () =>
        this.execute(SERVER_COMMANDS.rebuild, [], "rebuilding the index"),
      ),
      vscode.commands.registerCommand(EXTENSION_COMMANDS.restart, () => this.restart()),
      vscode.commands.registerCommand(EXTENSION_COMMANDS.showLog, () => this.output.show(true)),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(CONFIG_SECTION)) {
          void this.settingsChanged();
        }
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.languageId === "python" && event.contentChanges.length > 0) {
          this.scheduleRefresh((this.settings?.debounceMs ?? DEFAULT_DEBOUNCE_MS) + EDIT_REFRESH_MARGIN_MS);
        }
      }),
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (document.languageId === "python") {
          this.scheduleRefresh(EDIT_REFRESH_MARGIN_MS);
        }
      }),
    );
  }

  async start(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder === undefined) {
      this.output.appendLine("pytest-delta: no workspace folder is open; the language server needs a project root.");
      this.status.set({ kind: "stopped" });
      return;
    }
    this.status.set({ kind: "starting" });
    const settings = this.readSettings(folder);
    this.settings = settings;
    const server = resolveServerCommand(settings, process.platform);
    this.output.appendLine(`Starting ${describeCommand(server)} (from ${server.source}) in ${folder.uri.fsPath}`);
    const probe = await probeServer(server, folder.uri.fsPath);
    if (probe.kind !== "ok") {
      this.reportUnavailable(server, probeFailureMessage(server, probe));
      return;
    }
    this.output.appendLine(`Server version: ${probe.version}`);
    const client = new LanguageClient(
      CLIENT_ID,
      "pytest-delta",
      this.serverOptions(server, folder),
      this.clientOptions(settings, folder),
    );
    this.client = client;
    client.onDidChangeState((event) => {
      if (event.newState === State.Stopped && this.client === client) {
        this.status.set({
          kind: "error",
          message: 'pytest-delta: the language server stopped. Run "pytest-delta: Restart Language Server".',
        });
      }
    });
    try {
      await client.start();
    } catch (error) {
      this.reportUnavailable(
        server,
        `pytest-delta: the language server did not start (${errorText(error)}). Install or repair it with: ` +
          `${installCommand(server)}; the "pytest-delta" output channel has the server's own message.`,
      );
      return;
    }
    this.scheduleRefresh(0);
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client !== undefined && client.state !== State.Stopped) {
      try {
        await client.stop();
      } catch (error) {
        this.output.appendLine(`pytest-delta: stopping the server: ${errorText(error)}`);
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    void this.stop();
    for (const disposable of this.disposables.splice(0)) {
      disposable.dispose();
    }
  }

  /** Fetches the affected tests after `delayMs`, collapsing bursts of edits into one request. */
  scheduleRefresh(delayMs = 100): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => void this.refreshStatus(false), delayMs);
  }

  async refreshStatus(afterRun: boolean): Promise<void> {
    const client = this.client;
    if (client === undefined || client.state !== State.Running) {
      return;
    }
    await this.status.refresh(
      async () => asAffectedAnswer(await client.sendRequest(AFFECTED_TESTS_REQUEST, {})),
      afterRun,
    );
  }

  private async runThisTest(given: unknown): Promise<void> {
    let id = typeof given === "string" && given !== "" ? given : undefined;
    if (id === undefined) {
      id = this.testAtCursor();
      if (id === undefined) {
        void vscode.window.showInformationMessage(
          "pytest-delta: put the cursor inside a test function or class in a Python test file.",
        );
        return;
      }
    }
    await this.execute(SERVER_COMMANDS.runTest, [id], `running ${id}`);
  }

  private testAtCursor(): string | undefined {
    const editor = vscode.window.activeTextEditor;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (editor === undefined || folder === undefined || editor.document.languageId !== "python") {
      return undefined;
    }
    const parts = testAt(editor.document.getText().split(/\r?\n/), editor.selection.active.line);
    if (parts === undefined) {
      return undefined;
    }
    return nodeId(path.relative(folder.uri.fsPath, editor.document.uri.fsPath), parts);
  }

  private async execute(command: string, args: unknown[], what: string): Promise<void> {
    const client = this.client;
    if (client === undefined || client.state !== State.Running) {
      void vscode.window.showWarningMessage(
        'pytest-delta: the language server is not running. See "pytest-delta: Show Server Log".',
      );
      return;
    }
    if (this.status.current.kind === "running") {
      void vscode.window.showInformationMessage("pytest-delta: a run is already in progress.");
      return;
    }
    this.status.set({ kind: "running", what });
    try {
      const summary = describeRun(await client.sendRequest("workspace/executeCommand", { command, arguments: args }));
      if (summary?.problem) {
        void vscode.window.showWarningMessage(summary.text);
      } else if (summary !== undefined) {
        void vscode.window.showInformationMessage(summary.text);
      }
    } catch (error) {
      void vscode.window.showErrorMessage(`pytest-delta: ${what} failed: ${errorText(error)}`);
    } finally {
      await this.refreshStatus(true);
    }
  }

  private async settingsChanged(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder === undefined) {
      return;
    }
    const next = this.readSettings(folder);
    if (this.client === undefined || this.settings === undefined || needsRestart(this.settings, next)) {
      await this.restart();
      return;
    }
    this.settings = next;
    await this.client.sendNotification("workspace/didChangeConfiguration", { settings: serverSettingsChange(next) });
  }

  private readSettings(folder: vscode.WorkspaceFolder): Settings {
    return readSettings(vscode.workspace.getConfiguration(CONFIG_SECTION, folder.uri), {
      workspaceFolder: folder.uri.fsPath,
      userHome: os.homedir(),
      env: process.env,
    });
  }

  private serverOptions(server: ServerCommand, folder: vscode.WorkspaceFolder): ServerOptions {
    return { command: server.command, args: [...server.args], options: { cwd: folder.uri.fsPath } };
  }

  private clientOptions(settings: Settings, folder: vscode.WorkspaceFolder): LanguageClientOptions {
    return {
      documentSelector: [{ scheme: "file", language: "python" }],
      workspaceFolder: folder,
      outputChannel: this.output,
      initializationOptions: serverSettings(settings),
      middleware: {
        // VS Code asks for lenses after the server's codeLens/refresh, i.e. when the affected set changed.
        provideCodeLenses: (document, token, next) => {
          this.scheduleRefresh();
          return next(document, token);
        },
      },
    };
  }

  private reportUnavailable(server: ServerCommand, message: string): void {
    this.output.appendLine(message);
    this.status.set({ kind: "error", message });
    void vscode.window
      .showErrorMessage(message, FIX_ACTIONS.copyInstall, FIX_ACTIONS.openSettings)
      .then(async (choice) => {
        if (choice === FIX_ACTIONS.copyInstall) {
          await vscode.env.clipboard.writeText(installCommand(server));
        } else if (choice === FIX_ACTIONS.openSettings) {
          await vscode.commands.executeCommand("workbench.action.openSettings", CONFIG_SECTION);
        }
      });
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<DeltaSession> {
  const session = new DeltaSession();
  context.subscriptions.push(session);
  session.registerCommands();
  await session.start();
  return session;
}

export function deactivate(): void {
  // The session is in context.subscriptions: VS Code disposes it, which stops the server.
}
