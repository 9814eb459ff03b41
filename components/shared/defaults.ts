/**
 * How a component takes its settings: its Args declare every field in an interface, the fields with a default
 * optional, and the component fills the defaults in one place (the top of its constructor) before it validates them
 * and uses them everywhere. So a library user passes only what has no default, never spreads a defaults table, and
 * gets the same checks as a stack user (whose config reader already passes every field).
 *
 * The Args are declared interfaces, never mapped types (Partial<…>, Pick<…>, Omit<…>): Pulumi's schema inference
 * (@pulumi/pulumi provider/experimental/analyzer.js, analyzeSymbol) reads each property's type at its declaration,
 * and a mapped type's properties have none, so every field would reach the package schema as `Any`.
 */

/** `Input` with every field `Defaults` has a value for set (no longer optional): the settings a component works with. */
export type Filled<Input, Defaults> = Omit<Input, keyof Defaults> & {
    readonly [K in keyof Defaults & keyof Input]-?: Exclude<Input[K], undefined>;
};

/**
 * The settings with every field left unset (absent, or explicitly `undefined`) taken from `defaults`. `defaults` holds
 * the component's own fields only (no stack-only key such as the stack's `azCount`), so nothing else enters the settings.
 */
export function withDefaults<Input extends object, Defaults extends Partial<Input>>(defaults: Defaults, given: Input): Filled<Input, Defaults> {
    // `?? {}`: untyped callers may leave the whole object out; validation then names each field without a default.
    const defined = Object.fromEntries(Object.entries(given ?? {}).filter(([, v]) => v !== undefined));
    // Every field of Filled is now set: `defaults` covers the ones Input leaves optional.
    return { ...defaults, ...defined } as unknown as Filled<Input, Defaults>;
}
