import { describe, expect, it } from "vitest";
import { parseQuantity, quantityUnitProblem } from "../core/quantity";

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

describe("quantityUnitProblem", () => {
    it("accepts whole bytes and cores or millicores", () => {
        expect([
            quantityUnitProblem("512Mi", "bytes"),
            quantityUnitProblem("1.5Gi", "bytes"),
            quantityUnitProblem("500m", "cores"),
            quantityUnitProblem("4", "cores"),
        ]).toEqual([undefined, undefined, undefined, undefined]);
    });

    it("refuses memory in millibytes and fractions of a byte", () => {
        expect([quantityUnitProblem("512m", "bytes"), quantityUnitProblem("0.5", "bytes")]).toEqual([
            "512m is 0.512 bytes: m means thousandths; for mebibytes write Mi, such as 512Mi",
            "0.5 is 0.5 bytes; a size is a whole number of bytes, such as 512Mi",
        ]);
    });

    it("refuses cpu counted with a byte multiplier", () => {
        expect(quantityUnitProblem("4Gi", "cores")).toBe("4Gi is 4294967296 cores: Gi is a byte multiplier; write cores such as 4 or millicores such as 500m");
    });
});
