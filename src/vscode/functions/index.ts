export { functionCatalog, type ConfiguredFunction, type ConfiguredFunctions } from './configuredFunctions';
export { FunctionCommands, functionOf } from './functionCommands';
export { FunctionPicker } from './functionPicker';
export { FunctionsTreeProvider, type FunctionsNode } from './functionsTree';
