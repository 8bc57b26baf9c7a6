// placeholder until the wasm build lands
console.log('build-wasm: no AssemblyScript sources yet');
