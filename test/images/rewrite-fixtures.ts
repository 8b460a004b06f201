// What the image rewriting tests share: the air-gap mirror's prefix, and reading the objects rewritten.

export const PREFIX = "registry.enclave.example:5000/kf";

export type Props = Record<string, unknown>;

export const dataOf = (object: Props) => object["data"] as Record<string, string>;
