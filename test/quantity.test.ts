import { describe, expect, it } from "vitest";
import { parseQuantity } from "../core/quantity";

describe("parseQuantity", () => {
    it("gives binary, decimal and plain quantities their value, so 2Gi = 2048Mi = 2147483648", () => {
        expect([parseQuantity("2Gi"), parseQuantity("2048Mi"), parseQuantity("2147483648"), parseQuantity(2147483648)]).toEqual([
            2147483648, 2147483648, 2147483648, 2147483648,
        ]);
        expect([parseQuantity("1k"), parseQuantity("1M"), parseQuantity("1.5G"), parseQuantity("1e3")]).toEqual([1000, 1e6, 1.5e9, 1000]);
    });

    it("reads millicores", () => {
        expect([parseQuantity("100m"), parseQuantity("0.1"), parseQuantity("2")]).toEqual([0.1, 0.1, 2]);
    });

    it("refuses what is not a quantity", () => {
        expect([parseQuantity("2GB"), parseQuantity("lots"), parseQuantity(""), parseQuantity(Number.NaN)]).toEqual([
            undefined,
            undefined,
            undefined,
            undefined,
        ]);
    });
});
