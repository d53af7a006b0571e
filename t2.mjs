import { create, globals } from 'webgpu';
const gpu = create(['backend=vulkan']);
console.log(Object.getOwnPropertyNames(Object.getPrototypeOf(gpu)));
const a = await gpu.requestAdapter(); const d = await a.requestDevice();
console.log(Object.getOwnPropertyNames(Object.getPrototypeOf(d)));
const b = d.createBuffer({size: 16, usage: globals.GPUBufferUsage.MAP_READ|globals.GPUBufferUsage.COPY_DST});
console.log(Object.getOwnPropertyNames(Object.getPrototypeOf(b)));
console.log(Object.keys(globals));
process.exit(0)
