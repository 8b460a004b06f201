// The two ways a mirror command fails: the work itself (a registry, skopeo, a
// corrupted blob) or its input (a lock file or bundle that cannot be read).

/** An image could not be resolved, copied, verified or pushed; skopeo is missing. */
export class MirrorError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "MirrorError";
    }
}

/** A lock file, image list, manifests directory or bundle that cannot be read or used. */
export class MirrorInputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "MirrorInputError";
    }
}
