// Generated sections of checked-in files (README.md tables, the registry
// stacks' image lists): the text between two marker lines belongs to a generator.

/** `text` with what lies between the `start` and `end` marker lines replaced by `content`; throws naming the file when a marker is missing. */
export function replaceSection(text: string, file: string, start: string, end: string, content: string): string {
    const from = text.indexOf(start);
    const to = text.indexOf(end);
    if (from < 0 || to < from) throw new Error(`${file} has no "${start.trim()}" … "${end.trim()}" section; add the two markers where it belongs.`);
    return `${text.slice(0, from + start.length)}\n${content}\n${text.slice(to)}`;
}
