/**
 * Stand-ins for the `vscode` module and for `vscode-languageclient/node`, installed with a `Module._load` hook.
 * They record what the extension does (commands, messages, status bar, client options) and behave like the
 * real ones where the extension depends on it: registering a command id twice throws, and the language client
 * registers the server's executeCommandProvider ids when it starts.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import Module = require("node:module");
import * as path from "node:path";

type Listener<T> = (value: T) => unknown;

export class FakeEvent<T> {
  private readonly listeners: Listener<T>[] = [];

  readonly event = (listener: Listener<T>): { dispose(): void } => {
    this.listeners.push(listener);
    return { dispose: () => this.listeners.splice(this.listeners.indexOf(listener), 1) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      listener(value);
    }
  }
}

export interface FakeStatusItem {
  id: string;
  name: string;
  text: string;
  tooltip: unknown;
  command: unknown;
  backgroundColor: unknown;
  visible: boolean;
  show(): void;
  hide(): void;
  dispose(): void;
}

export interface ShownMessage {
  level: "error" | "warning" | "info";
  text: string;
  actions: string[];
}

export interface FakeEditor {
  document: { uri: { fsPath: string }; languageId: string; getText(): string };
  selection: { active: { line: number; character: number } };
}

export interface ServerCommandsSpec {
  /** Ids the fake server lists in executeCommandProvider; the fake client registers them on start. */
  commands: string[];
  /** Answers to `sendRequest`, by method. */
  respond(method: string, params: any): unknown;
}

export interface FakeClient {
  id: string;
  name: string;
  serverOptions: any;
  clientOptions: any;
  state: number;
  requests: { method: string; params: any }[];
  notifications: { method: string; params: any }[];
  stopped: boolean;
}

export const STATE = { Stopped: 1, Running: 2, Starting: 3 } as const;

export class FakeVscode {
  readonly settings = new Map<string, unknown>();
  readonly commands = new Map<string, (...args: any[]) => unknown>();
  readonly executed: { id: string; args: unknown[] }[] = [];
  readonly messages: ShownMessage[] = [];
  readonly statusItems: FakeStatusItem[] = [];
  readonly outputLines: string[] = [];
  readonly clients: FakeClient[] = [];
  readonly clipboard: string[] = [];
  readonly configurationChanged = new FakeEvent<{ affectsConfiguration(section: string): boolean }>();
  readonly textChanged = new FakeEvent<unknown>();
  readonly saved = new FakeEvent<unknown>();
  workspaceFolders: { uri: { fsPath: string }; name: string; index: number }[] = [];
  activeTextEditor: FakeEditor | undefined;
  /** Which action the user picks in a message box; undefined dismisses it. */
  pickAction: (message: ShownMessage) => string | undefined = () => undefined;
  server: ServerCommandsSpec = { commands: [], respond: () => null };

  constructor(folder: string) {
    this.workspaceFolders = [{ uri: uri(folder), name: path.basename(folder), index: 0 }];
  }

  get statusItem(): FakeStatusItem {
    if (this.statusItems.length !== 1) {
      throw new Error(`expected one status bar item, found ${this.statusItems.length}`);
    }
    return this.statusItems[0];
  }

  /** The `vscode` module as the extension sees it. */
  vscodeModule(): any {
    const fake = this;
    const show = (level: ShownMessage["level"]) => (text: string, ...actions: string[]) => {
      const message = { level, text, actions };
      fake.messages.push(message);
      return Promise.resolve(fake.pickAction(message));
    };
    return {
      StatusBarAlignment: { Left: 1, Right: 2 },
      ThemeColor: class {
        constructor(readonly id: string) {}
      },
      Uri: { file: uri },
      Disposable: class {
        constructor(private readonly callOnDispose: () => void) {}
        dispose(): void {
          this.callOnDispose();
        }
      },
      EventEmitter: FakeEvent,
      window: {
        get activeTextEditor() {
          return fake.activeTextEditor;
        },
        createOutputChannel: (name: string) => ({
          name,
          appendLine: (line: string) => fake.outputLines.push(line),
          append: (text: string) => fake.outputLines.push(text),
          show: () => undefined,
          hide: () => undefined,
          clear: () => undefined,
          dispose: () => undefined,
        }),
        createStatusBarItem: (id: string) => {
          const item: FakeStatusItem = {
            id,
            name: "",
            text: "",
            tooltip: undefined,
            command: undefined,
            backgroundColor: undefined,
            visible: false,
            show() {
              item.visible = true;
            },
            hide() {
              item.visible = false;
            },
            dispose() {
              item.visible = false;
            },
          };
          fake.statusItems.push(item);
          return item;
        },
        showErrorMessage: show("error"),
        showWarningMessage: show("warning"),
        showInformationMessage: show("info"),
      },
      workspace: {
        get workspaceFolders() {
          return fake.workspaceFolders;
        },
        getConfiguration: (section: string) => ({
          get: (key: string) => fake.settings.get(`${section}.${key}`),
        }),
        onDidChangeConfiguration: fake.configurationChanged.event,
        onDidChangeTextDocument: fake.textChanged.event,
        onDidSaveTextDocument: fake.saved.event,
      },
      commands: {
        registerCommand: (id: string, callback: (...args: any[]) => unknown) => {
          if (fake.commands.has(id)) {
            // What VS Code does, and why the extension must not re-register the server's command ids.
            throw new Error(`command '${id}' already exists`);
          }
          fake.commands.set(id, callback);
          return { dispose: () => fake.commands.delete(id) };
        },
        executeCommand: async (id: string, ...args: unknown[]) => {
          fake.executed.push({ id, args });
          return fake.commands.get(id)?.(...args);
        },
      },
      env: {
        clipboard: {
          writeText: async (text: string) => {
            fake.clipboard.push(text);
          },
        },
      },
    };
  }

  /**
   * The `vscode` module for loading the real bundle, in which vscode-languageclient subclasses VS Code types
   * (CodeLens, Diagnostic, ...) at load time: names the fake lacks resolve to empty classes.
   */
  permissiveVscodeModule(): any {
    const base = this.vscodeModule();
    return new Proxy(base, {
      get(target, name) {
        if (name in target || typeof name !== "string") {
          return target[name];
        }
        return /^[A-Z]/.test(name) ? class {} : {};
      },
    });
  }

  /** `vscode-languageclient/node` as the extension sees it. */
  languageClientModule(): any {
    const fake = this;
    class LanguageClient implements FakeClient {
      state: number = STATE.Stopped;
      requests: { method: string; params: any }[] = [];
      notifications: { method: string; params: any }[] = [];
      stopped = false;
      private readonly stateChanged = new FakeEvent<{ oldState: number; newState: number }>();
      private readonly registered: { dispose(): void }[] = [];

      constructor(
        readonly id: string,
        readonly name: string,
        readonly serverOptions: any,
        readonly clientOptions: any,
      ) {
        fake.clients.push(this);
      }

      onDidChangeState = this.stateChanged.event;

      async start(): Promise<void> {
        this.setState(STATE.Starting);
        const register = fake.vscodeModule().commands.registerCommand;
        for (const id of fake.server.commands) {
          this.registered.push(register(id, (...args: unknown[]) => this.sendRequest("workspace/executeCommand", { command: id, arguments: args })));
        }
        this.setState(STATE.Running);
      }

      async stop(): Promise<void> {
        this.stopped = true;
        for (const registration of this.registered.splice(0)) {
          registration.dispose();
        }
        this.setState(STATE.Stopped);
      }

      async sendRequest(method: string, params: any): Promise<unknown> {
        this.requests.push({ method, params });
        return fake.server.respond(method, params);
      }

      async sendNotification(method: string, params: any): Promise<void> {
        this.notifications.push({ method, params });
      }

      private setState(newState: number): void {
        const oldState = this.state;
        this.state = newState;
        this.stateChanged.fire({ oldState, newState });
      }
    }
    return { LanguageClient, State: STATE, TransportKind: { stdio: 0, ipc: 1, pipe: 2, socket: 3 } };
  }
}

function uri(fsPath: string): { fsPath: string; scheme: string; path: string; toString(): string } {
  return { fsPath, scheme: "file", path: fsPath, toString: () => `file://${fsPath}` };
}

const SOURCE_DIR = path.resolve(__dirname, "..", "..", "src");

/**
 * Loads the compiled extension with `vscode` and the language client replaced by `fake`. The extension's
 * modules are evicted from the require cache first, so each test gets its own instance.
 */
export function loadExtension(fake: FakeVscode): typeof import("../../src/extension") {
  const moduleInternals = Module as unknown as {
    _load: (request: string, parent: unknown, isMain: boolean) => unknown;
  };
  const originalLoad = moduleInternals._load;
  const vscodeModule = fake.vscodeModule();
  const clientModule = fake.languageClientModule();
  moduleInternals._load = function (request: string, parent: unknown, isMain: boolean) {
    if (request === "vscode") {
      return vscodeModule;
    }
    if (request === "vscode-languageclient/node") {
      return clientModule;
    }
    return originalLoad.call(this, request, parent, isMain);
  };
  try {
    for (const key of Object.keys(require.cache)) {
      if (key.startsWith(SOURCE_DIR + path.sep)) {
        delete require.cache[key];
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path.join(SOURCE_DIR, "extension"));
  } finally {
    moduleInternals._load = originalLoad;
  }
}

/** Polls `check` until it stops throwing; the extension updates the status bar from timers. */
export async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export function fakeContext(): { subscriptions: { dispose(): unknown }[] } {
  return { subscriptions: [] };
}
