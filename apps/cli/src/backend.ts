import { type Backend, type BackendName, backendNames, openBackend as open } from '@cellgraph/backends'
import { CliError } from './args.js'

export { type BackendName, backendNames }

/** The backend by name (the registry `compile` uses); one that cannot start here is a CLI error. */
export async function openBackend(name: BackendName): Promise<Backend> {
  try {
    return await open(name)
  } catch (e) {
    throw new CliError(`the ${name} backend is not available here: ${(e as Error).message}`)
  }
}
