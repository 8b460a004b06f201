// Port sets of NetworkPolicy rules: protocols, numbers and endPort ranges, and container-port names
// (see docs/network-policy-evaluation.md).
import { isRecord } from "../records";

export type Protocol = "TCP" | "UDP" | "SCTP";
export const PROTOCOLS: readonly string[] = ["TCP", "UDP", "SCTP"];
const MAX_PORT = 65535;

interface PortRange {
    protocol: Protocol;
    from: number;
    to: number;
}

interface NamedPort {
    protocol: Protocol;
    name: string;
}

/** `all`: every port of every protocol (a rule without ports); else ranges and container-port names. */
export interface PortSet {
    all: boolean;
    ranges: PortRange[];
    names: NamedPort[];
}

export const ALL_PORTS: PortSet = { all: true, ranges: [], names: [] };
export const NO_PORTS: PortSet = { all: false, ranges: [], names: [] };

const order = (protocol: Protocol) => PROTOCOLS.indexOf(protocol);

function portSet(all: boolean, ranges: PortRange[], names: NamedPort[]): PortSet {
    if (all) return ALL_PORTS;
    const merged: PortRange[] = [];
    for (const range of [...ranges].sort((a, b) => order(a.protocol) - order(b.protocol) || a.from - b.from)) {
        const last = merged.at(-1);
        if (last && last.protocol === range.protocol && range.from <= last.to + 1) last.to = Math.max(last.to, range.to);
        else merged.push({ ...range });
    }
    const whole = new Set(merged.filter((range) => range.from === 1 && range.to === MAX_PORT).map((range) => range.protocol));
    const named = new Map(names.filter((name) => !whole.has(name.protocol)).map((name) => [`${name.protocol}/${name.name}`, name]));
    return { all: false, ranges: merged, names: [...named.values()].sort((a, b) => order(a.protocol) - order(b.protocol) || a.name.localeCompare(b.name)) };
}

/** One TCP port, as a set. */
export const tcpPort = (port: number): PortSet => portSet(false, [{ protocol: "TCP", from: port, to: port }], []);

export const isEmpty = (set: PortSet) => !set.all && set.ranges.length === 0 && set.names.length === 0;
export const union = (a: PortSet, b: PortSet) => portSet(a.all || b.all, [...a.ranges, ...b.ranges], [...a.names, ...b.names]);

/** Ports both sets allow. A name meets any port of its protocol: whoever names the port picks its number. */
export function intersect(a: PortSet, b: PortSet): PortSet {
    if (a.all) return b;
    if (b.all) return a;
    const ranges = a.ranges.flatMap((x) =>
        b.ranges
            .filter((y) => y.protocol === x.protocol && y.from <= x.to && x.from <= y.to)
            .map((y) => ({ protocol: x.protocol, from: Math.max(x.from, y.from), to: Math.min(x.to, y.to) })),
    );
    const meets = (set: PortSet, name: NamedPort) =>
        set.ranges.some((range) => range.protocol === name.protocol) || set.names.some((other) => other.protocol === name.protocol && other.name === name.name);
    return portSet(false, ranges, [...a.names.filter((name) => meets(b, name)), ...b.names.filter((name) => meets(a, name))]);
}

/** Whether the set opens one numbered port; a name opens none until resolved. */
export const opens = (set: PortSet, protocol: string, port: number) =>
    set.all || set.ranges.some((range) => range.protocol === protocol && range.from <= port && port <= range.to);

export function renderPorts(set: PortSet): string {
    if (set.all) return "all";
    const parts = PROTOCOLS.flatMap((protocol) => [
        ...set.ranges
            .filter((range) => range.protocol === protocol)
            .map((range) =>
                range.from === 1 && range.to === MAX_PORT
                    ? `all ${protocol}`
                    : range.from === range.to
                      ? `${protocol} ${range.from}`
                      : `${protocol} ${range.from}-${range.to}`,
            ),
        ...set.names.filter((name) => name.protocol === protocol).map((name) => `${protocol} "${name.name}"`),
    ]);
    return parts.length > 0 ? parts.join(", ") : "none";
}

export const portsPhrase = (set: PortSet) => (set.all ? "all ports" : renderPorts(set));

/** How a destination resolves port names: its containers' declared ports, whatever its creator chooses, or (outside the cluster) none. */
export type DestinationPorts = ReadonlyMap<string, number[]> | "chosen" | "none";

export function resolveNames(set: PortSet, destination: DestinationPorts): PortSet {
    if (destination === "chosen" || set.names.length === 0) return set;
    const resolved =
        destination === "none"
            ? []
            : set.names.flatMap((name) =>
                  (destination.get(`${name.protocol}/${name.name}`) ?? []).map((port) => ({ protocol: name.protocol, from: port, to: port })),
              );
    return portSet(set.all, [...set.ranges, ...resolved], []);
}

const validPort = (value: unknown) => typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_PORT;
const validName = (port: string) => /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/.test(port) && /[a-z]/.test(port) && !port.includes("--");

/** The ports of a rule; `fail` throws for the audit and returns undefined for the pack, which then skips the entry. */
export function compilePorts(ports: unknown[], path: string, fail: (path: string, problem: string) => undefined): PortSet {
    if (ports.length === 0) return ALL_PORTS;
    const ranges: PortRange[] = [];
    const names: NamedPort[] = [];
    ports.forEach((entry, index) => {
        const where = `${path}[${index}]`;
        if (!isRecord(entry)) return fail(where, `is ${JSON.stringify(entry)}; a port is an object with protocol, port and endPort.`);
        const { protocol = "TCP", port, endPort } = entry;
        if (typeof protocol !== "string" || !PROTOCOLS.includes(protocol))
            return fail(`${where}.protocol`, `is ${JSON.stringify(protocol)}; use TCP, UDP or SCTP.`);
        if (endPort !== undefined && endPort !== null && typeof port !== "number")
            return fail(`${where}.endPort`, `is set but port is ${JSON.stringify(port)}; endPort needs a numeric port.`);
        if (port === undefined || port === null) ranges.push({ protocol: protocol as Protocol, from: 1, to: MAX_PORT });
        else if (typeof port === "string") {
            if (!validName(port))
                return fail(
                    `${where}.port`,
                    `is ${JSON.stringify(port)}; use a number from 1 to 65535 or a container port's name (at most 15 lowercase letters, digits and '-', with a letter).`,
                );
            names.push({ protocol: protocol as Protocol, name: port });
        } else {
            if (!validPort(port)) return fail(`${where}.port`, `is ${JSON.stringify(port)}; use a number from 1 to 65535 or a container port's name.`);
            const end = endPort ?? port;
            if (!validPort(end) || (end as number) < (port as number))
                return fail(`${where}.endPort`, `is ${JSON.stringify(end)}; it must be a port from ${JSON.stringify(port)} (the port) to 65535.`);
            ranges.push({ protocol: protocol as Protocol, from: port as number, to: end as number });
        }
    });
    return portSet(false, ranges, names);
}
