/**
 * Spreadsheet programs execute cells that start with = + - @ (and tab / CR tricks). Prefixing a
 * quote makes them text (OWASP CSV injection guidance).
 */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}
