// Vite's "?raw" suffix imports a file's text; specs use it for fixtures so this pure lib
// needs no node:fs, even in tests.
/// <reference types="vite/client" />
