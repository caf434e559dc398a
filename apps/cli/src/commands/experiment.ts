export const experimentHelp = 'Usage: cellgraph experiment long-range [options]\n'
export async function experiment(): Promise<number> {
  return 1
}
