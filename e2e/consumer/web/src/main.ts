import { roundTrip } from './round-trip.ts';

declare global {
  interface Window { __roundTrip?: unknown }
}

const out = document.querySelector<HTMLPreElement>('#app')!;
roundTrip().then(
  (r) => { window.__roundTrip = r; out.textContent = JSON.stringify(r, null, 1); },
  (e: unknown) => { window.__roundTrip = { error: String(e) }; out.textContent = String(e); },
);
