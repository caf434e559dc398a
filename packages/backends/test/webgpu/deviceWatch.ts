import type { WebGpuContext } from '../../src/index.js'

/** What the backend asks of the device, counted from outside it by wrapping the device's methods. */
export function watchDevice(context: WebGpuContext) {
  const seen = { submissions: 0, passes: 0, dispatches: 0, writes: 0, readBacks: 0, buffers: 0 }
  const { device } = context
  const { queue } = device
  const submit = queue.submit.bind(queue)
  queue.submit = (commands) => {
    seen.submissions++
    submit(commands)
  }
  const writeBuffer = queue.writeBuffer.bind(queue) as (...a: unknown[]) => void
  queue.writeBuffer = ((...args: unknown[]) => {
    seen.writes++
    writeBuffer(...args)
  }) as GPUQueue['writeBuffer']
  const createBuffer = device.createBuffer.bind(device)
  device.createBuffer = (descriptor) => {
    seen.buffers++
    const buffer = createBuffer(descriptor)
    const mapAsync = buffer.mapAsync.bind(buffer)
    buffer.mapAsync = (...args) => {
      seen.readBacks++
      return mapAsync(...args)
    }
    return buffer
  }
  const createCommandEncoder = device.createCommandEncoder.bind(device)
  device.createCommandEncoder = (descriptor) => {
    const encoder = createCommandEncoder(descriptor)
    const beginComputePass = encoder.beginComputePass.bind(encoder)
    encoder.beginComputePass = (passDescriptor) => {
      seen.passes++
      const pass = beginComputePass(passDescriptor)
      const dispatch = pass.dispatchWorkgroups.bind(pass)
      pass.dispatchWorkgroups = (x, y, z) => {
        seen.dispatches++
        dispatch(x, y, z)
      }
      return pass
    }
    return encoder
  }
  return seen
}
