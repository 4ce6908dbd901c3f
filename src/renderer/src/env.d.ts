// Ambient types for the renderer: Vite's client types and the preload's bridge on window.
/// <reference types="vite/client" />
import type { NaswBridge } from '../../shared/api/channel-names';

declare global {
  interface Window {
    /** Present under Electron (preload); absent in browser mode. */
    nasw?: NaswBridge;
  }
}
