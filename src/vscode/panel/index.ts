// Only the facade: the panel itself is its own bundle, loaded when a panel opens.
export { LazyRunPanel } from './lazyRunPanel';
