// Debian's Chromium, started as on this project's machines: without the background connections
// that a closed network refuses, and with playwright-core's own fresh profile folder.
export const CHROMIUM_FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
