// A Kubernetes ServiceAccount, as the clusters' workload identities name the
// account a cloud role is for.

export interface ServiceAccountRef {
    readonly namespace: string;
    readonly name: string;
}
