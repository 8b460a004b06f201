// A cost line and how one is made: priced from the price table, a quantity
// the plan cannot know (usage), or a thing the plan creates that kfstack does
// not price (an existing cluster's storage). Hourly things are counted in
// hours of a 730-hour month, so every line reads quantity × unit price.
import type { UnitPrice } from "../../components/cluster/prices";

export const HOURS_PER_MONTH = 730;

export interface CostLine {
    item: string;
    /** null when the quantity is not knowable offline (usage: GB processed, capacity units). */
    quantity: number | null;
    unit: string;
    /** null when kfstack has no price for it; priceSource says why. */
    usdPerUnit: number | null;
    /** null when the quantity or the price is unknown. */
    monthlyUsd: number | null;
    /** The price's page, region and date, or why the line is not priced. */
    priceSource: string;
}

export interface CostEstimate {
    /** The sum of the lines that have a monthly total. */
    monthlyUsd: number;
    lines: CostLine[];
}

export const roundCents = (value: number) => Math.round(value * 100) / 100;

export function sourceOf(price: Pick<UnitPrice, "source" | "region" | "date">): string {
    return `${price.source} (${price.region}, ${price.date})`;
}

/** What a line needs of a price: the price tables' rows and the machine table's quotes alike. */
export type LinePrice = Pick<UnitPrice, "unit" | "usdPerUnit" | "source" | "region" | "date">;

/** A line of `quantity` units at the table's price. */
export function priced(item: string, quantity: number, price: LinePrice): CostLine {
    return {
        item,
        quantity,
        unit: price.unit,
        usdPerUnit: price.usdPerUnit,
        monthlyUsd: roundCents(quantity * price.usdPerUnit),
        priceSource: sourceOf(price),
    };
}

/** A line for `count` things billed by the hour, for the whole month. */
export function hourly(item: string, count: number, price: LinePrice): CostLine {
    return priced(item, count * HOURS_PER_MONTH, price);
}

/** A usage-billed line: the price is known, the quantity is not until the platform runs. */
export function usage(item: string, price: LinePrice, why: string): CostLine {
    return { item: `${item}: ${why}`, quantity: null, unit: price.unit, usdPerUnit: price.usdPerUnit, monthlyUsd: null, priceSource: sourceOf(price) };
}

/** A line the plan creates but kfstack cannot price. */
export function unpriced(item: string, quantity: number | null, unit: string, why: string): CostLine {
    return { item, quantity, unit, usdPerUnit: null, monthlyUsd: null, priceSource: `not priced: ${why}` };
}

export function estimateOf(lines: CostLine[]): CostEstimate {
    return { monthlyUsd: roundCents(lines.reduce((total, line) => total + (line.monthlyUsd ?? 0), 0)), lines };
}
