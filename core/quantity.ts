// Kubernetes resource quantities compared by value: "2Gi" = "2048Mi" =
// "2147483648". Follows the suffixes of k8s.io/apimachinery resource.Quantity
// (binary Ki..Ei, decimal k..E, milli m, and exponents such as 1e3).

const SUFFIXES: Record<string, number> = {
    "": 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?[0-9]*\.?[0-9]+)(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?)$/;

/** The quantity grammar as a JSON Schema `pattern` (ECMA-262, like the RegExp), for configuration schemas. */
export const QUANTITY_PATTERN = QUANTITY.source;

/** The value of a quantity (bytes for memory, cores for cpu), or undefined when it is not one. */
export function parseQuantity(quantity: string | number): number | undefined {
    return quantityParts(quantity)?.value;
}

function quantityParts(quantity: string | number): { value: number; suffix: string } | undefined {
    if (typeof quantity === "number") return Number.isFinite(quantity) ? { value: quantity, suffix: "" } : undefined;
    const match = QUANTITY.exec(quantity.trim());
    if (!match) return undefined;
    const [, mantissa, exponent, suffix = ""] = match;
    return { value: Number(mantissa) * (exponent ? 10 ** Number(exponent.slice(1)) : SUFFIXES[suffix]!), suffix };
}

/** What a quantity counts: bytes (memory, storage) or cores (cpu). */
export type QuantityUnit = "bytes" | "cores";

const BINARY = new Set(["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]);

/**
 * Why a quantity that parses makes no sense for what it counts, or undefined
 * when it does: bytes come whole ("512m" is thousandths, half a byte), and cpu
 * is never counted with a byte multiplier ("4Gi" is four billion cores).
 */
export function quantityUnitProblem(quantity: string | number, unit: QuantityUnit): string | undefined {
    const parts = quantityParts(quantity);
    if (!parts) return undefined;
    if (unit === "bytes" && !Number.isInteger(parts.value))
        return parts.suffix === "m"
            ? `${quantity} is ${parts.value} bytes: m means thousandths; for mebibytes write Mi, such as ${String(quantity).trim().slice(0, -1)}Mi`
            : `${quantity} is ${parts.value} bytes; a size is a whole number of bytes, such as 512Mi`;
    if (unit === "cores" && BINARY.has(parts.suffix))
        return `${quantity} is ${parts.value} cores: ${parts.suffix} is a byte multiplier; write cores such as 4 or millicores such as 500m`;
    return undefined;
}
