// Text for the panel. Every string in the protocol has a length limit and a message
// over it is rejected whole, so the host shortens what it posts instead.

/** `value`, or its first `max - 1` characters and an ellipsis. */
export function cap(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** "message" → "Message". */
export function upperFirst(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}
