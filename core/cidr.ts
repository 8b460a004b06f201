// IPv4 subnet arithmetic for carving a VPC into per-zone subnets, in the
// manner of Terraform's cidrsubnet(prefix, newbits, netnum).

function parse(cidr: string): { address: number; prefix: number } {
    const [ip, prefixText] = cidr.split("/");
    const octets = (ip ?? "").split(".").map(Number);
    const prefix = Number(prefixText);
    if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255) || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
        throw new Error(`"${cidr}" is not an IPv4 CIDR block`);
    }
    const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
    return { address, prefix };
}

function format(address: number, prefix: number): string {
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256);
    return `${octets.join(".")}/${prefix}`;
}

/** The prefix length of a CIDR block, or undefined when it is not one. */
export function prefixLength(cidr: string): number | undefined {
    try {
        return parse(cidr).prefix;
    } catch {
        return undefined;
    }
}

/** The `netnum`-th block of size /(prefix + newbits) inside `cidr`. */
export function cidrSubnet(cidr: string, newbits: number, netnum: number): string {
    const { address, prefix } = parse(cidr);
    const length = prefix + newbits;
    if (length > 32 || netnum < 0 || netnum >= 2 ** newbits) {
        throw new Error(`${cidr} has no block number ${netnum} of size /${length}`);
    }
    const blockSize = 2 ** (32 - prefix);
    const base = address - (address % blockSize);
    return format(base + netnum * 2 ** (32 - length), length);
}
