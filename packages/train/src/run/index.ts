export { type EvalResult, evaluateStream } from './evaluate.js'
export { type SampleOptions, sampleText, softmax } from './sample.js'
export { asInitialStates, copyInto, readAll, stateNames, uploadAll, zeroStates } from './session.js'
export { StatefulModel } from './stateful.js'
