// The policies of the pack as a Markdown table, for README.md.
import { ALL_POLICIES } from "./all";

export function policyTable(): string {
    return [
        "| id | name | enforcement | what it checks | why |",
        "| --- | --- | --- | --- | --- |",
        ...ALL_POLICIES.map(
            (policy) =>
                `| ${policy.id} | \`${policy.name}\` | ${policy.enforcementLevel} | ${policy.description.replaceAll("|", "\\|")} | ${policy.reason.replaceAll("|", "\\|")} |`,
        ),
    ].join("\n");
}
