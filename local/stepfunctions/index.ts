export { LocalStepFunctions, type LocalStepFunctionsOptions } from './runtime.js';
export { functionNameOf } from './lambda-integration.js';
export {
  AWS_DEFAULT_TASK_TIMEOUT_SECONDS,
  INTERPRETER_TASK_TIMEOUT_SECONDS,
  prepareDefinition,
  type PreparedDefinition,
} from './definition.js';
