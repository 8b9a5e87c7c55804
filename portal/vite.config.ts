import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The portal is served at / of the API's origin (the local stack; CloudFront in AWS), so
// the API is called with relative paths and no CORS. `npm run dev` proxies the API to a
// running `make run`.
const api = process.env.EZD_API ?? "http://127.0.0.1:8000";
const apiPaths = ["/auth", "/me", "/units", "/health", "/openapi.json"];

export default defineConfig({
  plugins: [react()],
  base: "/",
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
  server: { proxy: Object.fromEntries(apiPaths.map((p) => [p, api])) },
});
