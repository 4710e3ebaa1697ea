import { defineConfig } from "vite";

// Built into the Python package, which serves it at "/": nothing is loaded from any
// other host at run time.
export default defineConfig({
  base: "/",
  build: {
    outDir: "../src/airhotline/service/console_dist",
    emptyOutDir: true,
    chunkSizeWarningLimit: 800,
  },
});
