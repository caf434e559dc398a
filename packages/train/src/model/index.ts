export { builtinModel, cellModel, languageModelSpec, type ModelConfig, type ModelSizes } from './config.js'
export { type ModelGraphOptions, modelGraph, modelParams } from './graph.js'
export { initParams } from './init.js'
export { fromStoredNames, toStoredNames } from './names.js'
