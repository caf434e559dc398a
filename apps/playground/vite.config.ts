import { defineConfig } from 'vite'

// Cross-origin isolation (COOP/COEP) gives the page SharedArrayBuffer, which the compiled CPU
// backend's second thread needs; the dev server and `vite preview` both send the headers.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
}

export default defineConfig({
  base: './',
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  build: { target: 'es2022', chunkSizeWarningLimit: 2000 },
})
