export { ClassifySelection } from './classifySelection';
