// The platform's name, from which its components' names and, unless
// kfstack:clusterName says otherwise, the cluster's name derive. The rules
// need it before the program runs (an IAM role name must fit), so it is a
// function of the stack's name, not read from the running stack.
export const platformName = (stack: string) => `kfstack-${stack}`;
