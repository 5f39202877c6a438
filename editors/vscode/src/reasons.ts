/**
 * One line of text per affected test for tooltips: the server's reason ("affected: src/shop/cart.py
 * changed") and, when the test reaches the change through other modules, the import chain.
 */

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

export function describeReason(reason: unknown, chain?: unknown): string {
  const text = typeof reason === "string" ? reason : "";
  const links = strings(chain);
  if (links.length > 2) {
    return text ? `${text} (${links.join(" → ")})` : links.join(" → ");
  }
  return text;
}
