// Debian's Chromium driven by playwright-core (no browser download: executablePath only).
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Flags: headless Chromium has WebGPU through SwiftShader (Vulkan on the CPU) once
 * --enable-unsafe-webgpu is given; nothing else was needed with Chromium 156 on Debian 12.
 * --enable-precise-memory-info makes performance.memory exact instead of bucketed.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-precise-memory-info',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function assertChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}. The e2e tests drive a real Chromium: install Debian's ` +
      `with \`apt-get install -y chromium\` (or set CHROMIUM_PATH to a Chromium/Chrome binary).`,
    );
  }
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  assertChromium();
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
