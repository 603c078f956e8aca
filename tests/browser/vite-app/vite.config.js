// Production build of the test app into target/vite-app (served under /vite/).
import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/vite/",
  logLevel: "warn",
  build: { outDir: fileURLToPath(new URL("../../../target/vite-app", import.meta.url)), emptyOutDir: true, target: "es2022" },
});
