// The registered platforms as the UI reaches them. The UI never names a platform: it reads the
// adapter's descriptor, and asks `can()` (src/platforms/types.ts) for an optional ability.
import { AiFunctionsError } from '../../core/errors';
import type { PlatformId } from '../../core/model';
import { can, type Ability, type PlatformAdapter, type With } from '../../platforms/types';

export type Platforms = Readonly<Record<PlatformId, PlatformAdapter>>;

/** The adapter when it has every ability; else an error saying, after its name, what it lacks. */
export function requireAbility<A extends Ability>(adapter: PlatformAdapter, lacking: string, ...abilities: A[]): With<A> {
  if (can(adapter, ...abilities)) return adapter;
  throw new AiFunctionsError('invalidInput', `${adapter.descriptor.displayName} ${lacking}.`, { platform: adapter.id });
}

/** The platform's display name. */
export function platformName(platforms: Platforms, id: PlatformId): string {
  return platforms[id].descriptor.displayName;
}
