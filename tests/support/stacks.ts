/**
 * The shipped stack files as a deployer uses them after the quick start: Pulumi.<stack>.yaml plus the one choice
 * every stack must make before it can plan — how the Kubernetes API is reached (a public endpoint for the
 * deployer's network; TEST-NET-2 stands for it here). The shipped files alone refuse to plan (tested).
 */
import { loadStackConfig, type StackConfigMap } from "../../stacks/offline/stackFile";

export const QUICK_START_API_ACCESS = { "ha-jenkins-eks:apiPublicAccessCidrs": '["198.51.100.0/24"]' } as const;

export function stackConfig(stack: string): StackConfigMap {
    const { config, secretKeys } = loadStackConfig(stack);
    return { config: { ...config, ...QUICK_START_API_ACCESS }, secretKeys };
}
