// Output helpers shared by the commands: Markdown tables (readable in a
// terminal, pasteable into an issue) and number formats.

export function markdownTable(header: string[], rows: (string | number)[][]): string {
    const cells = [header, ...rows.map((row) => row.map(String))];
    const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
    const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(" | ")} |`;
    return [line(cells[0]!), line(widths.map((width) => "-".repeat(width))), ...cells.slice(1).map(line)].join("\n");
}

export function usd(value: number | null | undefined): string {
    return value === null || value === undefined ? "n/a" : `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

export function integer(value: number): string {
    return value.toLocaleString("en-US");
}
