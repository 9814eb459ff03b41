/**
 * The CrossGuard pack: `pulumi preview --policy-pack policy`. Only constructs the pack — constructing it serves
 * gRPC to the engine, so the rules live in policies.ts, which tests and `npm run plan` import instead.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("ha-jenkins-eks", { policies, enforcementLevel: "mandatory" });
