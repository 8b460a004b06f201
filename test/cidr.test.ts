import { describe, expect, it } from "vitest";
import { cidrSubnet, ipv4Blocks, parseCidr, prefixLength, subtract } from "../core/cidr";

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

describe("ipv4Blocks", () => {
    const range = (cidr: string) => parseCidr(cidr)!;

    it("gives a CIDR block back as itself, and the rest of a block after a cut as the fewest aligned blocks", () => {
        expect(ipv4Blocks(range("10.50.0.0/16"))).toEqual(["10.50.0.0/16"]);
        expect(ipv4Blocks(range("0.0.0.0/0"))).toEqual(["0.0.0.0/0"]);
        expect(subtract([range("10.50.0.0/16")], [range("10.50.240.0/24")]).flatMap(ipv4Blocks)).toEqual([
            "10.50.0.0/17",
            "10.50.128.0/18",
            "10.50.192.0/19",
            "10.50.224.0/20",
            "10.50.241.0/24",
            "10.50.242.0/23",
            "10.50.244.0/22",
            "10.50.248.0/21",
        ]);
        expect(ipv4Blocks({ v6: false, start: 1n, end: 6n })).toEqual(["0.0.0.1/32", "0.0.0.2/31", "0.0.0.4/31", "0.0.0.6/32"]);
    });

    it("refuses an IPv6 range", () => {
        expect(() => ipv4Blocks(range("2001:db8::/64"))).toThrow("ipv4Blocks: the range is IPv6");
    });
});
