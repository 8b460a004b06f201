import { describe, expect, it } from "vitest";
import { cidrSubnet, prefixLength } from "../core/cidr";

describe("cidrSubnet", () => {
    it("numbers blocks of the new size from the start of the base block", () => {
        expect([0, 1, 2, 7].map((index) => cidrSubnet("10.0.0.0/16", 3, index))).toEqual(["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19", "10.0.224.0/19"]);
        expect(cidrSubnet(cidrSubnet("10.40.0.0/16", 3, 7), 5, 2)).toBe("10.40.226.0/24");
    });

    it("aligns a base address that has host bits set", () => {
        expect(cidrSubnet("10.0.3.7/16", 8, 1)).toBe("10.0.1.0/24");
    });

    it("works across the top of the address space", () => {
        expect(cidrSubnet("255.255.0.0/16", 8, 255)).toBe("255.255.255.0/24");
    });

    it("refuses a block number that does not fit, and a malformed CIDR", () => {
        expect(() => cidrSubnet("10.0.0.0/16", 3, 8)).toThrow("10.0.0.0/16 has no block number 8 of size /19");
        expect(() => cidrSubnet("10.0.0.0/30", 3, 0)).toThrow("10.0.0.0/30 has no block number 0 of size /33");
        expect(() => cidrSubnet("10.0.0/16", 1, 0)).toThrow('"10.0.0/16" is not an IPv4 CIDR block');
        expect([prefixLength("10.0.0.0/18"), prefixLength("10.0.0/16")]).toEqual([18, undefined]);
    });
});
