// The preload: exposes the API contract (one generic invoke + event subscription) and the path of a dropped file,
// nothing else.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { API_CHANNEL_NAMES, API_EVENT_NAMES, IPC_EVENT, IPC_INVOKE, type NaswBridge } from '../shared/api/channel-names';

const channels = new Set<string>(API_CHANNEL_NAMES);
const events = new Set<string>(API_EVENT_NAMES);

const bridge: NaswBridge = {
  invoke(channel, payload) {
    if (typeof channel !== 'string' || !channels.has(channel)) return Promise.reject(new Error(`"${String(channel)}" is not an API channel.`));
    return ipcRenderer.invoke(IPC_INVOKE, channel, payload);
  },
  on(event, listener) {
    if (typeof event !== 'string' || !events.has(event)) throw new Error(`"${String(event)}" is not an API event.`);
    if (typeof listener !== 'function') throw new Error('The listener must be a function.');
    const handler = (_e: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT, handler);
    };
  },
  pathForFile(file) {
    // A File from a drop or a file input: its path on disk (dropped folders included); anything else has none.
    if (typeof File === 'undefined' || !(file instanceof File)) return '';
    try {
      return webUtils.getPathForFile(file);
    } catch {
      return '';
    }
  },
};

contextBridge.exposeInMainWorld('nasw', Object.freeze(bridge));
