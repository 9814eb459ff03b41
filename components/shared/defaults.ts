/**
 * How a component takes its settings: every field with a default is optional in its Args, and the component fills
 * the defaults in one place (the top of its constructor) before it validates them and uses them everywhere. So a
 * library user passes only what has no default, never spreads a defaults table, and gets the same checks as a stack
 * user (whose config reader already passes every field).
 */

/**
 * `Settings` as a component's Args take them: the fields `Defaults` has a value for are optional (their doc comments,
 * kept from `Settings`, say the default); the others stay as `Settings` declares them.
 */
export type WithDefaults<Settings, Defaults> = Omit<Settings, keyof Defaults> & Partial<Pick<Settings, Extract<keyof Defaults, keyof Settings>>>;

/**
 * The settings with every field left unset (absent, or explicitly `undefined`) taken from `defaults`. `defaults` holds
 * the component's own fields only (no stack-only key such as the stack's `azCount`), so nothing else enters the settings.
 */
export function withDefaults<Settings extends object, Defaults extends Partial<Settings>>(
    defaults: Defaults,
    given: WithDefaults<Settings, Defaults>,
): Settings {
    // `?? {}`: untyped callers may leave the whole object out; validation then names each field without a default.
    const defined = Object.fromEntries(Object.entries(given ?? {}).filter(([, v]) => v !== undefined));
    // Every field of Settings is now set: `defaults` covers the ones WithDefaults made optional.
    return { ...defaults, ...defined } as unknown as Settings;
}
