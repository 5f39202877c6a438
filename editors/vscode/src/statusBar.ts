/**
 * The status bar item: how many tests the current changes affect, and a click that runs them. The view is a
 * pure function of the state so that it can be tested without VS Code; `AffectedStatus` only sequences updates.
 */
import { EXTENSION_COMMANDS, type AffectedAnswer, type AffectedTest } from "./protocol";
import { describeReason } from "./reasons";

export type StatusState =
  | { readonly kind: "starting" }
  | { readonly kind: "indexing" }
  | { readonly kind: "ready"; readonly tests: readonly AffectedTest[]; readonly snapshot?: boolean }
  | { readonly kind: "running"; readonly what: string }
  | { readonly kind: "error"; readonly message: string }
  | { readonly kind: "stopped" };

export interface StatusView {
  readonly text: string;
  readonly tooltip: string;
  readonly command: string | undefined;
  readonly visible: boolean;
  readonly isError: boolean;
}

/** The part of `vscode.StatusBarItem` the extension drives. */
export interface StatusItem {
  text: string;
  tooltip: unknown;
  command: unknown;
  backgroundColor: unknown;
  show(): void;
  hide(): void;
}

const TOOLTIP_TESTS = 10;

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

export function statusView(state: StatusState): StatusView {
  switch (state.kind) {
    case "starting":
      return {
        text: "$(sync~spin) pytest-delta",
        tooltip: "pytest-delta: starting the language server",
        command: EXTENSION_COMMANDS.showLog,
        visible: true,
        isError: false,
      };
    case "indexing":
      return {
        text: "$(sync~spin) pytest-delta: indexing",
        tooltip: "pytest-delta: indexing the project; affected tests are shown once it is done",
        command: EXTENSION_COMMANDS.showLog,
        visible: true,
        isError: false,
      };
    case "running":
      return {
        text: "$(sync~spin) pytest-delta: running",
        tooltip: `pytest-delta: ${state.what}`,
        command: EXTENSION_COMMANDS.showLog,
        visible: true,
        isError: false,
      };
    case "error":
      return {
        text: "$(error) pytest-delta",
        tooltip: state.message,
        command: EXTENSION_COMMANDS.showLog,
        visible: true,
        isError: true,
      };
    case "stopped":
      return { text: "", tooltip: "", command: undefined, visible: false, isError: false };
    case "ready": {
      const count = state.tests.length;
      if (count === 0) {
        return {
          text: "$(check) 0 affected",
          tooltip: "pytest-delta: no test is affected by the current changes. Click to run pytest --delta anyway.",
          command: EXTENSION_COMMANDS.runAffected,
          visible: true,
          isError: false,
        };
      }
      const listed = state.tests
        .slice(0, TOOLTIP_TESTS)
        .map((test) => {
          const reason = describeReason(test.reason, test.chain);
          return reason ? `${test.nodeId}: ${reason}` : test.nodeId;
        });
      const more = count > TOOLTIP_TESTS ? [`… and ${count - TOOLTIP_TESTS} more`] : [];
      const first =
        state.snapshot === false ? ["No snapshot yet: every test counts until pytest --delta has run once."] : [];
      return {
        text: `$(beaker) ${plural(count, "affected test")}`,
        tooltip: [`pytest-delta: click to run ${plural(count, "affected test")}`, ...first, ...listed, ...more].join("\n"),
        command: EXTENSION_COMMANDS.runAffected,
        visible: true,
        isError: false,
      };
    }
  }
}

/**
 * Owns the item and the latest state. Refreshes may overlap (typing triggers many); each carries a ticket and
 * only the newest one may write, so a slow old answer never overwrites a newer one.
 */
export class AffectedStatus {
  private state: StatusState = { kind: "starting" };
  private ticket = 0;

  constructor(
    private readonly item: StatusItem,
    private readonly errorColor: unknown,
  ) {
    this.render();
  }

  get current(): StatusState {
    return this.state;
  }

  set(state: StatusState): void {
    this.ticket += 1;
    this.state = state;
    this.render();
  }

  /**
   * Asks for the affected tests and shows them, unless a newer update came first. While a run is in progress
   * only the refresh that ends the run may replace the "running" state.
   */
  async refresh(fetch: () => Promise<AffectedAnswer>, endsRun = false): Promise<void> {
    if ((this.state.kind === "running" && !endsRun) || this.state.kind === "stopped") {
      return;
    }
    const ticket = ++this.ticket;
    let next: StatusState;
    try {
      const answer = await fetch();
      next = answer.state === "indexing" ? { kind: "indexing" } : { kind: "ready", tests: answer.tests, snapshot: answer.snapshot };
    } catch (error) {
      next = { kind: "error", message: `pytest-delta: could not list affected tests: ${errorText(error)}` };
    }
    if (ticket === this.ticket) {
      this.state = next;
      this.render();
    }
  }

  private render(): void {
    const view = statusView(this.state);
    this.item.text = view.text;
    this.item.tooltip = view.tooltip;
    this.item.command = view.command;
    this.item.backgroundColor = view.isError ? this.errorColor : undefined;
    if (view.visible) {
      this.item.show();
    } else {
      this.item.hide();
    }
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  if (typeof error === "object" && error !== null && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}
