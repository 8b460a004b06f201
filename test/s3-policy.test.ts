import { describe, expect, it } from "vitest";
import { type S3PolicyDocument, allowedUnder, parseS3Policy, s3PolicyAllows, wildcardMatches } from "../core/s3-policy";

const allow = (Action: string | string[], Resource: string | string[], Condition?: S3PolicyDocument["Statement"][number]["Condition"]): S3PolicyDocument => ({
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

describe("s3PolicyAllows", () => {
    const objectPolicy = allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::mlpipeline/artifacts/a/*");

    it("allows a listed action on a matching resource, and denies anything unlisted", () => {
        expect(s3PolicyAllows(objectPolicy, { action: "s3:GetObject", resource: "arn:aws:s3:::mlpipeline/artifacts/a/x" })).toBe(true);
        expect(s3PolicyAllows(objectPolicy, { action: "s3:DeleteObject", resource: "arn:aws:s3:::mlpipeline/artifacts/a/x" })).toBe(false);
        expect(s3PolicyAllows(objectPolicy, { action: "s3:GetObject", resource: "arn:aws:s3:::mlpipeline/artifacts/b/x" })).toBe(false);
    });

    it("matches actions without regard to case, and action wildcards", () => {
        expect(s3PolicyAllows(objectPolicy, { action: "S3:getobject", resource: "arn:aws:s3:::mlpipeline/artifacts/a/x" })).toBe(true);
        expect(s3PolicyAllows(allow("s3:*", "*"), { action: "s3:DeleteObject", resource: "arn:aws:s3:::other/x" })).toBe(true);
    });

    it("lets an explicit Deny win over any Allow", () => {
        const policy: S3PolicyDocument = {
            Version: "2012-10-17",
            Statement: [
                ...allow("s3:*", "arn:aws:s3:::mlpipeline/*").Statement,
                { Effect: "Deny", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::mlpipeline/artifacts/*" },
            ],
        };
        expect(s3PolicyAllows(policy, { action: "s3:DeleteObject", resource: "arn:aws:s3:::mlpipeline/artifacts/a/x" })).toBe(false);
        expect(s3PolicyAllows(policy, { action: "s3:DeleteObject", resource: "arn:aws:s3:::mlpipeline/v2/artifacts/a/x" })).toBe(true);
    });

    it("allows ListBucket only with an s3:prefix the StringLike or StringEquals condition admits", () => {
        const like = allow("s3:ListBucket", "arn:aws:s3:::mlpipeline", { StringLike: { "s3:prefix": ["artifacts/a/*"] } });
        expect(s3PolicyAllows(like, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline", prefix: "artifacts/a/" })).toBe(true);
        expect(s3PolicyAllows(like, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline", prefix: "artifacts/" })).toBe(false);
        expect(s3PolicyAllows(like, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline" })).toBe(false);
        const equals = allow("s3:ListBucket", "arn:aws:s3:::mlpipeline", { StringEquals: { "s3:prefix": "artifacts/a/" } });
        expect(s3PolicyAllows(equals, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline", prefix: "artifacts/a/" })).toBe(true);
        expect(s3PolicyAllows(equals, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline", prefix: "artifacts/a/x" })).toBe(false);
    });

    it("does not apply an Allow whose condition uses an operator it does not know (fails closed)", () => {
        const policy = allow("s3:ListBucket", "arn:aws:s3:::mlpipeline", { StringNotLike: { "s3:prefix": "artifacts/b/*" } });
        expect(s3PolicyAllows(policy, { action: "s3:ListBucket", resource: "arn:aws:s3:::mlpipeline", prefix: "artifacts/a/" })).toBe(false);
    });
});

describe("allowedUnder", () => {
    it("lists what a policy lets its holder do under a prefix: read, write, delete, list", () => {
        const policy: S3PolicyDocument = {
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

describe("parseS3Policy", () => {
    it("reads a policy document, and refuses text that is not one", () => {
        expect(parseS3Policy(JSON.stringify(allow("s3:GetObject", "*")))).toEqual(allow("s3:GetObject", "*"));
        expect(parseS3Policy("{not json")).toBeUndefined();
        expect(parseS3Policy('{"Version":"2012-10-17"}')).toBeUndefined();
    });
});
