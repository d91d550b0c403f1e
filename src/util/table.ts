// Plain-text tables for the terminal: every column padded to its widest cell, columns two spaces apart, no
// trailing spaces. Widths count UTF-16 units, so a row with wide (CJK) or emoji characters may sit a little off.

export function formatTable(rows: readonly (readonly string[])[], options: { indent?: string } = {}): string[] {
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(0, ...rows.map((r) => (r[i] ?? "").length)));
  const indent = options.indent ?? "";
  return rows.map((r) => (indent + r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ")).trimEnd());
}
