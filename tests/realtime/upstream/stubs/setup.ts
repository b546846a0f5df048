// Node 20 has no global WebSocket: realtime-js uses this one (as supabase-js's tests do with `ws`).
import WebSocket from 'ws';

if (typeof globalThis.WebSocket === 'undefined') {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
}
