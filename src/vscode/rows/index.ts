export { RowCommands } from './rowCommands';
