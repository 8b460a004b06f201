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
    if (typeof quantity === "number") return Number.isFinite(quantity) ? quantity : undefined;
    const match = QUANTITY.exec(quantity.trim());
    if (!match) return undefined;
    const [, mantissa, exponent, suffix] = match;
    return Number(mantissa) * (exponent ? 10 ** Number(exponent.slice(1)) : SUFFIXES[suffix ?? ""]!);
}
