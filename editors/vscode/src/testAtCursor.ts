/**
 * Finds the pytest node id of the test around the cursor from indentation alone: the extension must work
 * without the Python extension or a parser, and the server's `runTest` needs only the node id.
 */

const DEFINITION = /^(\s*)(?:async\s+def|def|class)\s+([A-Za-z_][A-Za-z0-9_]*)/;
const DECORATOR = /^\s*@/;

interface Definition {
  readonly name: string;
  readonly isClass: boolean;
}

function indentation(line: string): number {
  const match = /^[ \t]*/.exec(line);
  return match === null ? 0 : match[0].replace(/\t/g, "        ").length;
}

function isCode(line: string): boolean {
  const stripped = line.trim();
  return stripped !== "" && !stripped.startsWith("#");
}

/** The definitions enclosing `line`, outermost first. */
export function enclosingDefinitions(lines: readonly string[], line: number): Definition[] {
  let start = Math.min(Math.max(line, 0), lines.length - 1);
  // On a decorator the test is the definition it decorates.
  while (start < lines.length - 1 && DECORATOR.test(lines[start])) {
    start += 1;
  }
  const found: Definition[] = [];
  let limit = Number.POSITIVE_INFINITY;
  for (let index = start; index >= 0; index -= 1) {
    const text = lines[index];
    if (!isCode(text)) {
      continue;
    }
    const indent = indentation(text);
    const match = DEFINITION.exec(text);
    if (index === start && match !== null) {
      found.push({ name: match[2], isClass: /^\s*class\s/.test(text) });
      limit = indent;
      continue;
    }
    if (indent < limit) {
      if (match !== null) {
        found.push({ name: match[2], isClass: /^\s*class\s/.test(text) });
      }
      limit = indent;
    }
    if (limit === 0) {
      break;
    }
  }
  return found.reverse();
}

/** The node id parts (`["TestCart", "test_total"]`) of the test at `line`, or undefined outside a test. */
export function testAt(lines: readonly string[], line: number): string[] | undefined {
  const parts: string[] = [];
  for (const definition of enclosingDefinitions(lines, line)) {
    if (definition.isClass && definition.name.startsWith("Test")) {
      parts.push(definition.name);
      continue;
    }
    if (!definition.isClass && definition.name.startsWith("test")) {
      parts.push(definition.name);
    }
    // A helper nested in a test belongs to that test; anything else ends the search.
    break;
  }
  return parts.length > 0 ? parts : undefined;
}

export function nodeId(relativePath: string, parts: readonly string[]): string {
  return [relativePath.replace(/\\/g, "/"), ...parts].join("::");
}
