import { describe, expect, it } from "vitest";
import { type IamPolicyDocument, allowedUnder, parseIamPolicy, policyAllows, policyDenies, wildcardMatches } from "../core/iam-policy";

const allow = (Action: string | string[], Resource: string | string[], Condition?: IamPolicyDocument["Statement"][number]["Condition"]): IamPolicyDocument => ({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) }],
});

describe("wildcardMatches", () => {
    it("matches * across any run of characters, slashes included, and ? as exactly one", () => {
        expect(wildcardMatches("arn:aws:s3:::b/artifacts/a/*", "arn:aws:s3:::b/artifacts/a/run/1/x")).toBe(true);
        expect(wildcardMatches("arn:aws:s3:::b/artifacts/a/*", "arn:aws:s3:::b/artifacts/ab/x")).toBe(false);
        expect(wildcardMatches("team-?/*", "team-a/x")).toBe(true);
        expect(wildcardMatches("team-?/*", "team-ab/x")).toBe(false);
    });

    it("takes regular-expression characters literally", () => {
        expect(wildcardMatches("v2.artifacts/*", "v2xartifacts/a")).toBe(false);
        expect(wildcardMatches("a+b/(c)/*", "a+b/(c)/d")).toBe(true);
    });
});

describe("policyAllows", () => {
    const objectPolicy = allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::mlpipeline/artifacts/a/*");

    it("allows a listed action on a matching resource, and denies anything unlisted", () => {
        expect(policyAllows(objectPolicy, { action: "s3:GetObject", resource: "arn:aws:s3:::mlpipeline/artifacts/a/x" })).toBe(true);
        expect(policyAllows(objectPolicy, { action: "s3:DeleteObject", resource: "arn:aws:s3:::mlpipeline/artifacts/a/x" })).toBe(false);
        expect(policyAllows(objectPolicy, { action: "s3:GetObject", resource: "arn:aws:s3:::mlpipeline/artifacts/b/x" })).toBe(false);
    });

    it("matches actions without regard to case, and action wildcards", () => {
        expect(policyAllows(objectPolicy, { action: "S3:getobject", resource: "arn:aws:s3:::mlpipeline/artifacts/a/x" })).toBe(true);
        expect(policyAllows(allow("s3:*", "*"), { action: "s3:DeleteObject", resource: "arn:aws:s3:::other/x" })).toBe(true);
    });

    it("lets an explicit Deny win over any Allow", () => {
        const policy: IamPolicyDocument = {
            Version: "2012-10-17",
            Statement: [
                ...allow("s3:*", "arn:aws:s3:::mlpipeline/*").Statement,
                { Effect: "Deny", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::mlpipeline/artifacts/*" },
            ],
        };
        expect(policyAllows(policy, { action: "s3:DeleteObject", resource: "arn:aws:s3:::mlpipeline/artifacts/a/x" })).toBe(false);
        expect(policyAllows(policy, { action: "s3:DeleteObject", resource: "arn:aws:s3:::mlpipeline/v2/artifacts/a/x" })).toBe(true);
    });

    it("allows ListBucket only with an s3:prefix the StringLike or StringEquals condition admits", () => {
        const like = allow("s3:ListBucket", "arn:aws:s3:::mlpipeline", { StringLike: { "s3:prefix": ["artifacts/a/*"] } });
        expect(policyAllows(like, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline", context: { "s3:prefix": "artifacts/a/" } })).toBe(true);
        expect(policyAllows(like, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline", context: { "s3:prefix": "artifacts/" } })).toBe(false);
        expect(policyAllows(like, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline" })).toBe(false);
        const equals = allow("s3:ListBucket", "arn:aws:s3:::mlpipeline", { StringEquals: { "s3:prefix": "artifacts/a/" } });
        expect(policyAllows(equals, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline", context: { "s3:prefix": "artifacts/a/" } })).toBe(true);
        expect(policyAllows(equals, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline", context: { "s3:prefix": "artifacts/a/x" } })).toBe(false);
    });

    it("does not apply an Allow whose condition uses an operator it does not know (fails closed)", () => {
        const policy = allow("s3:ListBucket", "arn:aws:s3:::mlpipeline", { StringNotLike: { "s3:prefix": "artifacts/b/*" } });
        expect(policyAllows(policy, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline", context: { "s3:prefix": "artifacts/a/" } })).toBe(false);
    });
});

describe("allowedUnder", () => {
    it("lists what a policy lets its holder do under a prefix: read, write, delete, list", () => {
        const policy: IamPolicyDocument = {
            Version: "2012-10-17",
            Statement: [
                ...allow(["s3:GetObject"], "arn:aws:s3:::mlpipeline/artifacts/a/*").Statement,
                ...allow("s3:ListBucket", "arn:aws:s3:::mlpipeline", { StringLike: { "s3:prefix": "artifacts/a/*" } }).Statement,
            ],
        };
        expect(allowedUnder(policy, "mlpipeline", "artifacts/a/", "x")).toEqual(["s3:GetObject", "s3:ListBucket"]);
        expect(allowedUnder(policy, "mlpipeline", "artifacts/b/", "x")).toEqual([]);
    });
});

describe("parseIamPolicy", () => {
    it("reads a policy document, and refuses text that is not one", () => {
        expect(parseIamPolicy(JSON.stringify(allow("s3:GetObject", "*")))).toEqual(allow("s3:GetObject", "*"));
        expect(parseIamPolicy("{not json")).toBeUndefined();
        expect(parseIamPolicy('{"Version":"2012-10-17"}')).toBeUndefined();
    });
});

describe("conditions beyond s3:prefix, and trust policies", () => {
    const tlsOnly: IamPolicyDocument = {
        Version: "2012-10-17",
        Statement: [
            { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" },
            { Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::b/*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
        ],
    };

    it("reads Bool conditions, and condition keys in any case, as IAM does", () => {
        expect(policyDenies(tlsOnly, { action: "s3:GetObject", resource: "arn:aws:s3:::b/x", context: { "AWS:SecureTransport": "FALSE" } })).toBe(true);
        expect(policyAllows(tlsOnly, { action: "s3:GetObject", resource: "arn:aws:s3:::b/x", context: { "aws:securetransport": "false" } })).toBe(false);
        expect(policyAllows(tlsOnly, { action: "s3:GetObject", resource: "arn:aws:s3:::b/x", context: { "aws:SecureTransport": "true" } })).toBe(true);
    });

    it("applies a statement without Resource (a trust policy's) to any resource, under its conditions", () => {
        const trust: IamPolicyDocument = {
            Version: "2012-10-17",
            Statement: [
                { Effect: "Allow", Action: "sts:AssumeRoleWithWebIdentity", Condition: { StringEquals: { "issuer:sub": "system:serviceaccount:a:x" } } },
            ],
        };
        const assume = (sub: string) => policyAllows(trust, { action: "sts:AssumeRoleWithWebIdentity", resource: "*", context: { "issuer:sub": sub } });
        expect(assume("system:serviceaccount:a:x")).toBe(true);
        expect(assume("system:serviceaccount:b:x")).toBe(false);
    });

    it("grants nothing through a condition operator it cannot read", () => {
        const unknown = allow("s3:GetObject", "*", { NumericLessThan: { "s3:max-keys": "10" } });
        expect(policyAllows(unknown, { action: "s3:GetObject", resource: "arn:aws:s3:::b/x", context: { "s3:max-keys": "5" } })).toBe(false);
    });
});
