// CIDR blocks: one parser for IPv4 and IPv6 (NetworkPolicy ipBlocks, pod networks), address-range arithmetic, and
// IPv4 subnet carving for a VPC's per-zone subnets, in the manner of Terraform's cidrsubnet(prefix, newbits, netnum).

/** A contiguous range of addresses of one family. */
export interface AddressRange {
    v6: boolean;
    start: bigint;
    end: bigint;
}

export interface Cidr extends AddressRange {
    /** The block as written, e.g. `10.0.0.0/8`. */
    text: string;
    prefix: number;
}

function parseAddress(text: string): { v6: boolean; value: bigint } | undefined {
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
        const octets = text.split(".").map(Number);
        return octets.every((octet) => octet <= 255) ? { v6: false, value: octets.reduce((value, octet) => value * 256n + BigInt(octet), 0n) } : undefined;
    }
    const halves = text.split("::");
    if (!text.includes(":") || halves.length > 2) return undefined;
    const groups = halves.map((half) => (half === "" ? [] : half.split(":")));
    const count = groups.flat().length;
    if (groups.flat().some((group) => !/^[0-9a-f]{1,4}$/i.test(group)) || (halves.length === 1 ? count !== 8 : count > 7)) return undefined;
    const all = halves.length === 1 ? groups.flat() : [...groups[0]!, ...Array<string>(8 - count).fill("0"), ...groups[1]!];
    return { v6: true, value: all.reduce((value, group) => value * 65536n + BigInt(parseInt(group, 16)), 0n) };
}

/** An IPv4 or IPv6 CIDR block (host bits ignored, as the API server's parser does), or undefined. */
export function parseCidr(text: unknown): Cidr | undefined {
    const match = typeof text === "string" ? /^([^/]+)\/(\d{1,3})$/.exec(text) : null;
    const address = match ? parseAddress(match[1]!) : undefined;
    const prefix = Number(match?.[2]);
    if (!match || !address || prefix > (address.v6 ? 128 : 32)) return undefined;
    const size = 1n << BigInt((address.v6 ? 128 : 32) - prefix);
    const start = address.value - (address.value % size);
    return { v6: address.v6, start, end: start + size - 1n, prefix, text: match[0] };
}

/** The addresses of `ranges` outside every one of `cuts`. */
export function subtract(ranges: AddressRange[], cuts: AddressRange[]): AddressRange[] {
    return cuts.reduce(
        (left, cut) =>
            left.flatMap((range) => {
                if (range.v6 !== cut.v6 || cut.end < range.start || cut.start > range.end) return [range];
                return [
                    ...(cut.start > range.start ? [{ v6: range.v6, start: range.start, end: cut.start - 1n }] : []),
                    ...(cut.end < range.end ? [{ v6: range.v6, start: cut.end + 1n, end: range.end }] : []),
                ];
            }),
        ranges,
    );
}

export const overlaps = (a: AddressRange[], b: AddressRange) => a.some((x) => x.v6 === b.v6 && x.start <= b.end && b.start <= x.end);

/** Whether every address of `block` is in `ranges`. */
export const covers = (ranges: AddressRange[], block: AddressRange) => subtract([block], ranges).length === 0;

function parseIpv4(cidr: string): { address: number; prefix: number } {
    const block = parseCidr(cidr);
    if (!block || block.v6) throw new Error(`"${cidr}" is not an IPv4 CIDR block`);
    return { address: Number(block.start), prefix: block.prefix };
}

function format(address: number, prefix: number): string {
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256);
    return `${octets.join(".")}/${prefix}`;
}

/** The prefix length of an IPv4 CIDR block, or undefined when it is not one. */
export function prefixLength(cidr: string): number | undefined {
    try {
        return parseIpv4(cidr).prefix;
    } catch {
        return undefined;
    }
}

/** The fewest IPv4 CIDR blocks that hold exactly the addresses of `range`, as text. */
export function ipv4Blocks(range: AddressRange): string[] {
    if (range.v6) throw new Error("ipv4Blocks: the range is IPv6");
    const blocks: string[] = [];
    for (let start = range.start; start <= range.end;) {
        // The largest aligned block at `start` that ends inside the range.
        let size = 1n;
        while (size < 1n << 32n && start % (size * 2n) === 0n && start + size * 2n - 1n <= range.end) size *= 2n;
        blocks.push(format(Number(start), 32 - (size.toString(2).length - 1)));
        start += size;
    }
    return blocks;
}

/** The `netnum`-th block of size /(prefix + newbits) inside `cidr`. */
export function cidrSubnet(cidr: string, newbits: number, netnum: number): string {
    const { address, prefix } = parseIpv4(cidr);
    const length = prefix + newbits;
    if (length > 32 || netnum < 0 || netnum >= 2 ** newbits) {
        throw new Error(`${cidr} has no block number ${netnum} of size /${length}`);
    }
    return format(address + netnum * 2 ** (32 - length), length);
}
