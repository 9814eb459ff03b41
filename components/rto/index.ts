/**
 * RTO/RPO model: what a user should expect from the configuration, phase by phase, so the fail-over
 * drill's measurements have something to be compared with. Pure arithmetic on named inputs; every
 * number says where it comes from (configured, an upstream default, or our estimate).
 *
 * Phases match the drill's: detection, fencing, reschedule, volume attach, Jenkins start.
 *
 * inputs.ts: the inputs, their defaults, from the stack's settings · paths.ts: phase and path arithmetic ·
 * model.ts: `rtoModel`, the report and its findings · format.ts: the report as text.
 */

export { formatRtoReport } from "./format";
export { quantityGiB, RTO_DEFAULTS, type RtoInputs, rtoInputsFromSettings } from "./inputs";
export { type RtoReport, rtoModel } from "./model";
export type { Path, Phase } from "./paths";
