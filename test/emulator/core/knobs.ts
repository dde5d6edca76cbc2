// Platform knobs: what a test changes at run time with `emu.x.configure({...})` or `POST
// /__emulator/config`, and reads back with `config()` or `GET /__emulator/config`. A platform
// declares one table, property name → knob, in the order `config()` lists them; checking,
// applying, refusing unknown names and reporting happen here, once for the three platforms.
//
// A value is checked when its knob is applied, in the caller's order, so a bad value throws after
// the knobs before it took effect (the control endpoint answers 400 with the message).

/** How a config value becomes the emulator's property of the same name, and how it is shown. */
export interface Knob<V> {
  /** The value to assign; throws with the message a bad value gets. */
  parse(value: unknown, key: string): V;
  /** What `config()` shows (default: the property as it is). */
  show?(value: V): unknown;
  /** Applied after the other knobs of the same call, because setting it re-seeds from them. */
  last?: boolean;
}

/**
 * Property name → knob; the property's type decides which knobs fit. `hostile` belongs to the
 * base class, yet each table lists it: where it sits is where `GET /__emulator/config` shows it.
 */
export type KnobTable<T> = { [K in keyof T]?: Knob<T[K]> };

/** Knobs that are no property: the function runs with the value; `config()` leaves them out. */
export type KnobActions = Record<string, (value: unknown) => void>;

export const knob = {
  number: {
    parse(value: unknown, key: string): number {
      if (typeof value !== 'number' || value < 0) throw new Error(`${key} must be a number >= 0`);
      return value;
    },
  } satisfies Knob<number>,

  string: {
    parse(value: unknown, key: string): string {
      if (typeof value !== 'string') throw new Error(`${key} must be a string`);
      return value;
    },
  } satisfies Knob<string>,

  /** Any value: truthy or not. */
  boolean: {
    parse: (value: unknown): boolean => Boolean(value),
  } satisfies Knob<boolean>,

  strings: {
    parse(value: unknown, key: string): string[] {
      if (!Array.isArray(value) || !value.every((k) => typeof k === 'string')) throw new Error(`${key} must be an array of strings`);
      return value as string[];
    },
  } satisfies Knob<string[]>,

  /** A seed count (jobs, runs): the property's setter checks it and re-seeds, so it comes last. */
  seedCount: {
    parse: (value: unknown): number => Number(value),
    last: true,
  } satisfies Knob<number>,

  /** An array taken as given (definitions the platform trusts the test to write well). */
  array<T>(of?: string): Knob<T[]> {
    return {
      parse(value: unknown, key: string): T[] {
        if (!Array.isArray(value)) throw new Error(`${key} must be an array${of ? ` of ${of}` : ''}`);
        return value as T[];
      },
    };
  },

  oneOf<V extends string>(...values: V[]): Knob<V> {
    return {
      parse(value: unknown, key: string): V {
        if (!values.includes(value as V)) throw new Error(`${key} must be ${values.map((v) => `'${v}'`).join(' or ')}`);
        return value as V;
      },
    };
  },
};

/** What the `Emulator` base class needs of a platform's knobs. */
export interface PlatformKnobs {
  configure(config: Record<string, unknown>): void;
  config(): Record<string, unknown>;
}

export class Knobs<T> implements PlatformKnobs {
  constructor(
    /** For messages: 'Sutro'. */
    private readonly platform: string,
    private readonly target: T,
    private readonly table: KnobTable<T>,
    private readonly actions: KnobActions = {},
  ) {}

  configure(config: Record<string, unknown>): void {
    const last = (key: string): boolean => Object.hasOwn(this.table, key) && this.table[key as keyof T]?.last === true;
    // A stable sort: the knobs marked `last` move to the end, the others keep the caller's order.
    const entries = Object.entries(config).sort(([a], [b]) => Number(last(a)) - Number(last(b)));
    for (const [key, value] of entries) {
      const action = Object.hasOwn(this.actions, key) ? this.actions[key] : undefined;
      const property = Object.hasOwn(this.table, key) ? this.table[key as keyof T] : undefined;
      if (action) action(value);
      else if (property) assign(this.target, key as keyof T, property, value);
      else throw new Error(`Unknown ${this.platform} config knob '${key}'`);
    }
  }

  config(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(this.table)) {
      const property = this.table[key as keyof T];
      if (property) out[key] = shown(this.target, key as keyof T, property);
    }
    return out;
  }
}

function assign<T, K extends keyof T>(target: T, key: K, k: Knob<T[K]>, value: unknown): void {
  target[key] = k.parse(value, String(key));
}

function shown<T, K extends keyof T>(target: T, key: K, k: Knob<T[K]>): unknown {
  return k.show ? k.show(target[key]) : target[key];
}
