// Ordering objects by their install dependencies: a stable topological order,
// paths between objects, and the cycle that makes an order impossible.
import { describeObject, type KubernetesObject } from "../../../core/objects";
import { push } from "./multimap";
import type { Node, ObjectIndex } from "./object-index";

export interface InstallDependency {
    /** objectKey of the object needed first. */
    on: string;
    /** Why, e.g. `Namespace kubeflow must exist`. */
    reason: string;
}

/** The shortest dependency path from `start` to `goal` (both included), or undefined when `goal` is not reachable. */
export function findPath(dependencies: Map<string, InstallDependency[]>, index: ObjectIndex, start: Node, goal: Node): Node[] | undefined {
    const parents = new Map<string, string | null>([[start.key, null]]);
    const queue = [start.key];
    for (let head = 0; head < queue.length; head++) {
        const key = queue[head]!;
        if (key === goal.key) {
            const path: Node[] = [];
            for (let step: string | null | undefined = key; step; step = parents.get(step)) path.unshift(index.byKey.get(step)!);
            return path;
        }
        for (const { on } of dependencies.get(key) ?? []) {
            if (parents.has(on)) continue;
            parents.set(on, key);
            queue.push(on);
        }
    }
    return undefined;
}

/** Kahn's algorithm, always taking the ready object that came first in the input: the order closest to the input's. */
export function topologicalOrder(index: ObjectIndex, dependencies: Map<string, InstallDependency[]>): KubernetesObject[] {
    const waitingFor = new Map<string, number>();
    const dependents = new Map<string, Node[]>();
    for (const node of index.nodes) {
        const needs = dependencies.get(node.key)!;
        waitingFor.set(node.key, needs.length);
        for (const { on } of needs) push(dependents, on, node);
    }
    const ready = new MinHeap();
    for (const node of index.nodes) if (waitingFor.get(node.key) === 0) ready.push(node.index);
    const order: KubernetesObject[] = [];
    for (let position = ready.pop(); position !== undefined; position = ready.pop()) {
        const node = index.nodes[position]!;
        order.push(node.object);
        for (const dependent of dependents.get(node.key) ?? []) {
            const left = waitingFor.get(dependent.key)! - 1;
            waitingFor.set(dependent.key, left);
            if (left === 0) ready.push(dependent.index);
        }
    }
    if (order.length < index.nodes.length) throw cycleError(index, dependencies, waitingFor);
    return order;
}

/** Names one cycle among the objects that could not be ordered. */
function cycleError(index: ObjectIndex, dependencies: Map<string, InstallDependency[]>, waitingFor: Map<string, number>): Error {
    const stuck = (key: string) => waitingFor.get(key)! > 0;
    const path: string[] = [];
    const position = new Map<string, number>();
    let key = index.nodes.find((node) => stuck(node.key))!.key;
    // Every stuck object waits for another stuck one, so following those links must come back round.
    while (!position.has(key)) {
        position.set(key, path.length);
        path.push(key);
        key = dependencies.get(key)!.find((dependency) => stuck(dependency.on))!.on;
    }
    const cycle = [...path.slice(position.get(key)), key];
    const name = (key: string) => describeObject(index.byKey.get(key)!.object);
    const steps = cycle.slice(0, -1).map((from, step) => {
        const on = cycle[step + 1]!;
        return `${name(from)} needs ${name(on)}: ${dependencies.get(from)!.find((dependency) => dependency.on === on)!.reason}`;
    });
    return new Error(
        `The install dependencies form a cycle, so none of these objects can be created first: ${cycle.map(name).join(" → ")} (${steps.join("; ")}).`,
    );
}

class MinHeap {
    private readonly items: number[] = [];

    push(value: number): void {
        const items = this.items;
        items.push(value);
        for (let child = items.length - 1; child > 0;) {
            const parent = (child - 1) >> 1;
            if (items[parent]! <= value) break;
            items[child] = items[parent]!;
            items[parent] = value;
            child = parent;
        }
    }

    pop(): number | undefined {
        const items = this.items;
        const top = items[0];
        const last = items.pop();
        if (items.length === 0 || last === undefined) return top;
        items[0] = last;
        for (let parent = 0; ;) {
            const left = 2 * parent + 1;
            const right = left + 1;
            let smallest = parent;
            if (left < items.length && items[left]! < items[smallest]!) smallest = left;
            if (right < items.length && items[right]! < items[smallest]!) smallest = right;
            if (smallest === parent) break;
            [items[parent], items[smallest]] = [items[smallest]!, items[parent]!];
            parent = smallest;
        }
        return top;
    }
}
