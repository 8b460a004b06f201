// How messages list things.

/** "a", "a and b", "a, b and c" (or "… or c" with `conjunction` "or"). */
export function listOf(items: readonly (string | number)[], conjunction: "and" | "or" = "and"): string {
    return items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} ${conjunction} ${items.at(-1)}`;
}
